// The control protocol's line framer (ipc/framer.hpp): pure, so every case is a few bytes.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "ipc/framer.hpp"

namespace mv::ipc {
namespace {

std::vector<UniqueFd> descriptors(int count) {
    std::vector<UniqueFd> fds;
    for (int i = 0; i < count; ++i) {
        fds.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    return fds;
}

TEST(LineFramer, CutsLinesAcrossReadsAndKeepsPipelinedOnes) {
    LineFramer framer(100);
    EXPECT_EQ(framer.status(), LineFramer::Status::need_more);
    framer.push("{\"id\":");
    EXPECT_EQ(framer.status(), LineFramer::Status::need_more);
    framer.push("1}\n{\"id\":2}\n{\"id\"");
    ASSERT_EQ(framer.status(), LineFramer::Status::frame);
    EXPECT_EQ(framer.take().line, "{\"id\":1}");
    ASSERT_EQ(framer.status(), LineFramer::Status::frame);
    EXPECT_EQ(framer.take().line, "{\"id\":2}");
    EXPECT_EQ(framer.status(), LineFramer::Status::need_more);
    EXPECT_EQ(framer.buffered(), 5U);
}

TEST(LineFramer, DescriptorsBelongToTheLineTheirFirstByteStarts) {
    LineFramer framer(100);
    framer.push("a\nb", descriptors(2)); // they arrived with 'a'
    framer.push("c\n", descriptors(1));  // it arrived with 'c', inside line "bc"
    framer.push("d\n");
    Frame a = framer.take();
    EXPECT_EQ(a.line, "a");
    EXPECT_EQ(a.fds.size(), 2U);
    Frame bc = framer.take();
    EXPECT_EQ(bc.line, "bc");
    EXPECT_EQ(bc.fds.size(), 1U);
    EXPECT_TRUE(bc.fds.front());
    Frame d = framer.take();
    EXPECT_TRUE(d.fds.empty());
}

TEST(LineFramer, DescriptorsWithNoBytesGoWithTheNextLine) {
    LineFramer framer(100);
    framer.push("x\n");
    EXPECT_EQ(framer.take().fds.size(), 0U);
    framer.push("", descriptors(1));
    framer.push("y\n");
    EXPECT_EQ(framer.take().fds.size(), 1U);
}

TEST(LineFramer, ALineLongerThanTheLimitIsAnOverflowWithOrWithoutItsNewline) {
    LineFramer partial(4);
    partial.push("abcd");
    EXPECT_EQ(partial.status(), LineFramer::Status::need_more); // exactly the limit
    partial.push("e");
    EXPECT_EQ(partial.status(), LineFramer::Status::overflow);

    LineFramer whole(4);
    whole.push("abcd\nabcde\n");
    ASSERT_EQ(whole.status(), LineFramer::Status::frame);
    EXPECT_EQ(whole.take().line, "abcd");
    EXPECT_EQ(whole.status(), LineFramer::Status::overflow);
    EXPECT_THROW(whole.take(), std::logic_error);
}

TEST(LineFramer, TakingWithoutALineIsAProgrammingError) {
    LineFramer framer(10);
    framer.push("no newline");
    EXPECT_THROW(framer.take(), std::logic_error);
}

} // namespace
} // namespace mv::ipc
