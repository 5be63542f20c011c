#include <gtest/gtest.h>

#include "vault/manifest.hpp"

namespace mv::vault {
namespace {

// A format-1 manifest (one archive per version), as migration and imports read them.
Manifest sample() {
    Manifest m;
    m.format_version = 1;
    m.model = "pacman/agents/odd\\x0aname.pkl";
    m.watch = "pacman";
    m.version = {1, 2, 3};
    m.sequence = 7;
    m.created = *parse_time("2026-11-22T08:34:12Z");
    m.trigger = Trigger::improvement;
    m.bump = "minor";
    m.reason = "metric /eval/win_rate improved 0.50 → 0.60 (+20.0%)";
    m.parent = Version{1, 1, 0};
    FileEntry f;
    f.path = "agents/odd\nname.pkl";
    f.size = 42;
    f.mode = 0640;
    f.mtime_ns = 1'700'000'000'123'456'789;
    f.sha256 = std::string(64, 'a');
    f.format = "pickle";
    m.files.push_back(f);
    m.metrics = {{"eval", {{"win_rate", 0.6}}}};
    m.tags = {"best"};
    m.host = "trainer-1";
    m.archive = {"1.2.3_20261122T083412Z.tar.zst", 1000, std::string(64, 'b'), "zstd", 3, false};
    return m;
}

TEST(Manifest, RoundTripsThroughJson) {
    const Manifest m = sample();
    auto back = manifest_from_json(to_json(m));
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(to_json(*back), to_json(m));
    EXPECT_EQ(back->files[0].path, "agents/odd\nname.pkl");
    EXPECT_EQ(back->files[0].mode, 0640u);
    EXPECT_EQ(back->parent, (Version{1, 1, 0}));
}

TEST(Manifest, CheckpointAndMetricsFieldsRoundTripAndMayBeAbsent) {
    Manifest m = sample();
    m.checkpoint = CheckpointInfo{"epoch=3-step=1200\n.ckpt", 1200, std::nullopt, false};
    m.metrics_missing = true;
    m.metrics_files = {{"runs/odd\nname.metrics.json", std::string(64, 'c')}};
    const auto json = to_json(m);
    EXPECT_EQ(json["checkpoint"]["name"], "epoch=3-step=1200\\x0a.ckpt");
    EXPECT_EQ(json["checkpoint"]["step"], 1200);
    EXPECT_TRUE(json["checkpoint"]["epoch"].is_null());
    auto back = manifest_from_json(json);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->checkpoint, m.checkpoint);
    EXPECT_TRUE(back->metrics_missing);
    EXPECT_EQ(back->metrics_files, m.metrics_files);
    // Manifests written before these fields read as "no checkpoint, metrics not missing".
    auto old = to_json(sample());
    old.erase("checkpoint");
    old.erase("metrics_missing");
    old.erase("metrics_files");
    back = manifest_from_json(old);
    ASSERT_TRUE(back) << back.error();
    EXPECT_FALSE(back->checkpoint);
    EXPECT_FALSE(back->metrics_missing);
    EXPECT_TRUE(back->metrics_files.empty());
    auto bad = to_json(m);
    bad["metrics_files"][0]["sha256"] = "nope";
    EXPECT_FALSE(manifest_from_json(bad));
}

TEST(Manifest, ParamsAndNotesRoundTripAndMayBeAbsent) {
    Manifest m = sample();
    m.params = {{"algorithm", "dqn"}, {"alpha", 0.1}};
    m.notes = {{"diverged", {"lr"}, 1000, "alice", *parse_time("2026-11-23T10:00:00Z")},
               {"kept", {}, 0, "root", *parse_time("2026-11-24T10:00:00Z")}};
    const auto json = to_json(m);
    EXPECT_EQ(json["notes"][0]["time"], "2026-11-23T10:00:00Z");
    auto back = manifest_from_json(json);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->params, m.params);
    EXPECT_EQ(back->notes, m.notes);
    // Manifests written before these fields read as "no parameters, no notes".
    auto old = to_json(sample());
    old.erase("params");
    old.erase("notes");
    back = manifest_from_json(old);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->params, nlohmann::json::object());
    EXPECT_TRUE(back->notes.empty());
    // A bad field is named.
    for (const auto& [key, value] : std::vector<std::pair<const char*, nlohmann::json>>{
             {"params", nlohmann::json::array()}, {"notes", "text"}}) {
        auto bad = to_json(m);
        bad[key] = value;
        const auto refused = manifest_from_json(bad);
        ASSERT_FALSE(refused) << key;
        EXPECT_NE(refused.error().find(key), std::string::npos) << refused.error();
    }
    auto bad_time = to_json(m);
    bad_time["notes"][1]["time"] = "yesterday";
    EXPECT_NE(manifest_from_json(bad_time).error().find("notes[1].time"), std::string::npos);
}

TEST(Manifest, ToleratesPaddingWhitespace) {
    auto back = parse_manifest(to_json(sample()).dump() + "\n" + std::string(300, ' '));
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->sequence, 7u);
}

TEST(Manifest, NamesTheBadField) {
    auto json = to_json(sample());
    json["files"][0]["sha256"] = "xyz";
    auto bad = manifest_from_json(json);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("files[0].sha256"), std::string::npos) << bad.error();

    json = to_json(sample());
    json["format_version"] = 99;
    bad = manifest_from_json(json);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("upgrade modelvault"), std::string::npos) << bad.error();

    EXPECT_FALSE(parse_manifest("{not json"));
    json = to_json(sample());
    json.erase("version");
    EXPECT_FALSE(manifest_from_json(json));
}

TEST(Manifest, ArchiveFileMustBeAPlainNameInTheModelsFolder) {
    for (const char* bad :
         {"../../../../etc/shadow", "/etc/shadow", "a/b.tar.zst", "..", ".", ""}) {
        auto json = to_json(sample());
        json["archive"]["file"] = bad;
        auto refused = manifest_from_json(json);
        ASSERT_FALSE(refused) << bad;
        EXPECT_NE(refused.error().find("archive.file"), std::string::npos) << refused.error();
    }
}

TEST(Manifest, ModelMustBeAValidId) {
    for (const char* bad : {"../../etc", "lab/../x", "lab//x", "no watch/x"}) {
        auto json = to_json(sample());
        json["model"] = bad;
        auto refused = manifest_from_json(json);
        ASSERT_FALSE(refused) << bad;
        EXPECT_NE(refused.error().find("model"), std::string::npos) << refused.error();
    }
}

TEST(Manifest, StoredPathsThatRestoreRefusesAreNamed) {
    EXPECT_TRUE(check_stored_paths(sample()));
    for (const char* bad : {"../escaped", "/etc/passwd", "a//b", "a/./b", ""}) {
        Manifest m = sample();
        m.files[0].path = bad;
        auto refused = check_stored_paths(m);
        ASSERT_FALSE(refused) << bad;
        EXPECT_NE(refused.error().find("unsafe file name"), std::string::npos) << refused.error();
    }
    Manifest twice = sample();
    twice.files.push_back(twice.files[0]);
    EXPECT_FALSE(check_stored_paths(twice));
}

TEST(Manifest, RefusesDeepNestingAndOversizedText) {
    const std::string deep =
        R"({"metrics":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
    auto refused = parse_manifest(deep);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("levels deep"), std::string::npos) << refused.error();
    const std::string huge = R"({"note":")" + std::string(k_max_manifest_bytes, 'x') + "\"}";
    refused = parse_manifest(huge);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("more than"), std::string::npos) << refused.error();
}

TEST(Manifest, ANumberNoDoubleHoldsIsAnErrorNotAnException) {
    // Found by tests/fuzz/fuzz_manifest: a sidecar with 1e999 threw out of
    // parse_manifest() and the daemon refused to start on such a vault.
    auto text = to_json(sample()).dump();
    const std::string metrics = "\"metrics\":{";
    text.insert(text.find(metrics) + metrics.size(), "\"loss\":1e999,");
    const auto bad = parse_manifest(text);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("number overflow"), std::string::npos) << bad.error();
}

TEST(Manifest, AnIntegerFieldRefusesFloatsAndNumbersPast64Bits) {
    // Found by tests/fuzz/fuzz_manifest: a file size of 47 digits (read as a float) was
    // cast to an integer, which UBSan reports as undefined behaviour.
    const auto text = to_json(sample()).dump();
    const std::string size = "\"size\":42";
    ASSERT_NE(text.find(size), std::string::npos);
    for (const std::string value :
         {"22222222222222222222222222222222222222222222227", "2e46", "42.5"}) {
        auto changed = text;
        changed.replace(changed.find(size), size.size(), "\"size\":" + value);
        const auto bad = parse_manifest(changed);
        ASSERT_FALSE(bad) << value;
        EXPECT_NE(bad.error().find("files[0].size: expected an integer"), std::string::npos)
            << bad.error();
    }
}

TEST(Manifest, Format2ListsEachFilesChunks) {
    Manifest m = sample();
    m.format_version = 2;
    m.archive = {};
    m.storage = {"zstd", 3, true, false, "sha256", 1, 30};
    m.files[0].chunks = {{store::Digest::sha256_of(store::as_bytes("a")), 40},
                         {store::Digest::sha256_of(store::as_bytes("b")), 2}};
    m.files[0].chunk_count = 2;
    auto back = manifest_from_json(to_json(m));
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->files[0].chunks, m.files[0].chunks);
    EXPECT_EQ(back->storage.new_bytes, 30u);
    EXPECT_EQ(to_json(*back), to_json(m));
    // Chunks that do not add up to the file's size are refused.
    auto json = to_json(m);
    json["files"][0]["chunks"][1][1] = 3;
    auto bad = manifest_from_json(json);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("files[0].chunks"), std::string::npos) << bad.error();
    // The protocol's summaries carry the count only.
    auto summary = manifest_from_json(to_json(m, false));
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->files[0].chunk_count, 2u);
    EXPECT_TRUE(summary->files[0].chunks.empty());
}

} // namespace
} // namespace mv::vault
