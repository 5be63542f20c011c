#include "config/detail/parse_json.hpp"

#include <set>
#include <string>
#include <vector>

#include "util/json_depth.hpp"

namespace mv::config::detail {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// True when `text` holds only whitespace and complete comments: the parser rejects
// such text ("unexpected end of input"), but an empty config file is valid.
bool is_blank(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_space(text[i])) {
            ++i;
        } else if (text.substr(i, 2) == "//") {
            const std::size_t end = text.find('\n', i);
            i = end == std::string_view::npos ? text.size() : end + 1;
        } else if (text.substr(i, 2) == "/*") {
            const std::size_t end = text.find("*/", i + 2);
            if (end == std::string_view::npos) {
                return false;
            }
            i = end + 2;
        } else {
            return false;
        }
    }
    return true;
}

// Follows the parser through the document to know the key path of every key, so that
// a duplicate key can be reported where it is.
class DuplicateFinder {
public:
    explicit DuplicateFinder(Checker& checker) : m_checker(checker) {}

    bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
        switch (event) {
        case Json::parse_event_t::object_start:
        case Json::parse_event_t::array_start:
            m_frames.push_back(
                {event == Json::parse_event_t::array_start, child_path(), {}, {}, 0});
            break;
        case Json::parse_event_t::key: {
            Frame& frame = m_frames.back();
            frame.key = parsed.get<std::string>();
            if (!frame.keys.insert(frame.key).second) {
                m_checker.report(frame.path / frame.key,
                                 "duplicate key; only the last value would count, remove the "
                                 "others");
            }
            break;
        }
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            m_frames.pop_back();
            element_done();
            break;
        case Json::parse_event_t::value:
            element_done();
            break;
        }
        return true;
    }

private:
    struct Frame {
        bool is_array;
        KeyPath path;
        std::set<std::string> keys; // objects: the keys seen so far
        std::string key;            // objects: the key whose value is being read
        std::size_t index;          // arrays: the index of the element being read
    };

    KeyPath child_path() const {
        if (m_frames.empty()) {
            return {};
        }
        const Frame& parent = m_frames.back();
        return parent.is_array ? parent.path / parent.index : parent.path / parent.key;
    }

    void element_done() {
        if (!m_frames.empty() && m_frames.back().is_array) {
            ++m_frames.back().index;
        }
    }

    Checker& m_checker;
    std::vector<Frame> m_frames;
};

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 3,
// column 5: ..."; the bracketed id means nothing to a user.
std::string without_exception_id(const char* what) {
    std::string message = what;
    if (!message.empty() && message.front() == '[') {
        const std::size_t end = message.find("] ");
        if (end != std::string::npos) {
            message.erase(0, end + 2);
        }
    }
    return message;
}

} // namespace

std::optional<Json> parse_document(std::string_view text, Checker& checker) {
    if (is_blank(text)) {
        return Json::object();
    }
    if (auto shallow = check_json_depth(text, "the config"); !shallow) {
        checker.report({}, shallow.error());
        return std::nullopt;
    }
    try {
        return Json::parse(text, DuplicateFinder(checker), /*allow_exceptions=*/true,
                           /*ignore_comments=*/true);
    } catch (const Json::parse_error& error) {
        checker.report({}, "invalid JSON: " + without_exception_id(error.what()));
        return std::nullopt;
    } catch (const Json::out_of_range& error) {
        // 1e999: valid JSON syntax, but no double holds it (found by tests/fuzz).
        checker.report({}, "invalid JSON: " + without_exception_id(error.what()) +
                               "; numbers must fit in a 64-bit floating-point value");
        return std::nullopt;
    }
}

} // namespace mv::config::detail
