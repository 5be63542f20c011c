// The success half of the call-and-report path: what --json prints and which exit code a
// result gives, with and without a command's own JSON view and exit code.
#include <gtest/gtest.h>

#include "ctl/exit_codes.hpp"
#include "ctl/request.hpp"

namespace mv::ctl {
namespace {

const json k_rows = {{"results",
                      {{{"model", "lab/a.pkl"}, {"status", "committed"}},
                       {{"model", "lab/b.pkl"}, {"status", "failed"}}}}};

TEST(ExitCodeOfRows, FailsWhenAnyRowFailed) {
    EXPECT_EQ(exit_code_of_rows(k_rows["results"]), k_exit_failure);
    EXPECT_EQ(exit_code_of_rows(json::array()), k_exit_ok);
    EXPECT_EQ(exit_code_of_rows(json::array({{{"status", "unchanged"}}, {{"status", "skipped"}}})),
              k_exit_ok);
}

TEST(Present, ForHumansTheRendererPrintsAndDecides) {
    GlobalOptions global;
    int calls = 0;
    const Rendering rendering{[&](const json& result) {
                                  ++calls;
                                  EXPECT_EQ(result, k_rows);
                                  return 7;
                              },
                              {},
                              [](const json&) { return 9; }};
    testing::internal::CaptureStdout();
    EXPECT_EQ(present(global, k_rows, rendering), 7);
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
    EXPECT_EQ(calls, 1);
}

TEST(Present, WithJsonTheResultAsItCameAndExitZero) {
    GlobalOptions global;
    global.json = true;
    const Rendering rendering{[](const json&) -> int {
        ADD_FAILURE() << "rendered for humans under --json";
        return 1;
    }};
    testing::internal::CaptureStdout();
    EXPECT_EQ(present(global, k_rows, rendering), k_exit_ok);
    EXPECT_EQ(json::parse(testing::internal::GetCapturedStdout()), k_rows);
}

TEST(Present, WithJsonACommandsViewAndExitCode) {
    GlobalOptions global;
    global.json = true;
    const Rendering rendering{
        [](const json&) { return 1; }, [](const json& result) { return result["results"][1]; },
        [](const json& result) { return exit_code_of_rows(result["results"]); }};
    testing::internal::CaptureStdout();
    EXPECT_EQ(present(global, k_rows, rendering), k_exit_failure);
    EXPECT_EQ(json::parse(testing::internal::GetCapturedStdout()), k_rows["results"][1]);
}

} // namespace
} // namespace mv::ctl
