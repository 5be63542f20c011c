#include <gtest/gtest.h>

#include "crypto/hex.hpp"

namespace mv::crypto {
namespace {

TEST(Hex, RoundTripsAndRefusesWhatIsNotHex) {
    const std::vector<std::uint8_t> bytes = {0x00, 0x7f, 0x80, 0xff};
    EXPECT_EQ(to_hex(bytes), "007f80ff");
    EXPECT_EQ(from_hex("007F80ff"), bytes);
    EXPECT_EQ(from_hex(""), std::vector<std::uint8_t>());
    for (const char* bad : {"0", "0g", "+1", "-1", " 1", "0x"}) {
        EXPECT_FALSE(from_hex(bad)) << bad;
    }
}

} // namespace
} // namespace mv::crypto
