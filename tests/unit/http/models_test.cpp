// GET /api/v1/models: one row per model from `list`'s rows (newest first).
#include <gtest/gtest.h>

#include "http/models.hpp"

namespace mv::http {
namespace {

using nlohmann::json;

TEST(Models, EachModelIsSummedUpFromItsVersions) {
    const json list = {{"versions",
                        {{{"model", "lab/b.pkl"},
                          {"version", "1.1.0"},
                          {"created", "t3"},
                          {"size", 30},
                          {"stored", 7},
                          {"tags", {"best", "current"}}},
                         {{"model", "lab/a.pkl"},
                          {"version", "1.0.1"},
                          {"created", "t2"},
                          {"size", 20},
                          {"stored", 5},
                          {"tags", json::array()}},
                         {{"model", "lab/a.pkl"},
                          {"version", "1.0.0"},
                          {"created", "t1"},
                          {"size", 10},
                          {"stored", 4},
                          {"tags", {"best"}}}}}};
    EXPECT_EQ(models_from_list(list), json({{"models",
                                             {{{"model", "lab/a.pkl"},
                                               {"versions", 2},
                                               {"latest", "1.0.1"},
                                               {"latest_created", "t2"},
                                               {"size", 20},
                                               {"stored_bytes", 9},
                                               {"best", "1.0.0"},
                                               {"current", nullptr}},
                                              {{"model", "lab/b.pkl"},
                                               {"versions", 1},
                                               {"latest", "1.1.0"},
                                               {"latest_created", "t3"},
                                               {"size", 30},
                                               {"stored_bytes", 7},
                                               {"best", "1.1.0"},
                                               {"current", "1.1.0"}}}}}));
    EXPECT_EQ(models_from_list(json::object()), json({{"models", json::array()}}));
}

} // namespace
} // namespace mv::http
