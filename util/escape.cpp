#include "util/escape.hpp"

#include <array>

#include <fmt/format.h>

namespace mv {

namespace {

constexpr std::array<char, 16> k_hex_digits = {'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

// Length of the valid UTF-8 sequence starting at text[pos], or 0 if it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    std::size_t length = 0;
    unsigned min_second = 0x80;
    unsigned max_second = 0xbf;
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) {
            min_second = 0xa0;
        } else if (lead == 0xed) {
            max_second = 0x9f;
        }
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) {
            min_second = 0x90;
        } else if (lead == 0xf4) {
            max_second = 0x8f;
        }
    } else {
        return 0;
    }
    if (pos + length > text.size()) {
        return 0;
    }
    if (byte(pos + 1) < min_second || byte(pos + 1) > max_second) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(pos + i) < 0x80 || byte(pos + i) > 0xbf) {
            return 0;
        }
    }
    return length;
}

void append_hex_escape(std::string& out, unsigned char c, char marker) {
    out += marker;
    if (marker == '\\') {
        out += 'x';
    }
    out += k_hex_digits[c >> 4];
    out += k_hex_digits[c & 0xf];
}

// U+0080..U+009F are control characters too: terminals interpret some of them.
bool is_c1_control(std::string_view text, std::size_t pos) {
    return static_cast<unsigned char>(text[pos]) == 0xc2 && pos + 1 < text.size() &&
           static_cast<unsigned char>(text[pos + 1]) < 0xa0;
}

bool is_plain_component_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '+' || c == '=' || c == ',' || c == '@';
}

} // namespace

bool is_valid_utf8(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t length = utf8_sequence_length(text, pos);
        if (length == 0) {
            return false;
        }
        pos += length;
    }
    return true;
}

std::string escape_name(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t pos = 0; pos < raw.size();) {
        const auto c = static_cast<unsigned char>(raw[pos]);
        if (c == '\\') {
            out += "\\\\";
            ++pos;
        } else if (c < 0x20 || c == 0x7f) {
            append_hex_escape(out, c, '\\');
            ++pos;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            ++pos;
        } else if (const std::size_t length = utf8_sequence_length(raw, pos);
                   length > 0 && !is_c1_control(raw, pos)) {
            out.append(raw.substr(pos, length));
            pos += length;
        } else {
            append_hex_escape(out, c, '\\');
            ++pos;
        }
    }
    return out;
}

Result<std::string> unescape_name(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (text[pos] != '\\') {
            out += text[pos];
            continue;
        }
        if (pos + 1 < text.size() && text[pos + 1] == '\\') {
            out += '\\';
            ++pos;
            continue;
        }
        if (pos + 3 < text.size() && text[pos + 1] == 'x' && hex_value(text[pos + 2]) >= 0 &&
            hex_value(text[pos + 3]) >= 0) {
            out += static_cast<char>(hex_value(text[pos + 2]) * 16 + hex_value(text[pos + 3]));
            pos += 3;
            continue;
        }
        return failure(fmt::format(
            "invalid escape at byte {} of \"{}\": write a backslash as \\\\ and a raw byte "
            "as \\xNN",
            pos, text));
    }
    // One spelling per name: "\x41" for "A" or a raw control character would let two
    // texts name the same file.
    if (const std::string canonical = escape_name(out); canonical != text) {
        return failure(fmt::format("\"{}\" is not written the canonical way: write it as \"{}\"",
                                   escape_name(text), canonical));
    }
    return out;
}

std::string encode_path_component(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t pos = 0; pos < raw.size();) {
        const auto c = static_cast<unsigned char>(raw[pos]);
        const bool leading_dot = pos == 0 && c == '.';
        if (is_plain_component_char(c) && !leading_dot) {
            out += static_cast<char>(c);
            ++pos;
        } else if (c >= 0x80) {
            if (const std::size_t length = utf8_sequence_length(raw, pos);
                length > 0 && !is_c1_control(raw, pos)) {
                out.append(raw.substr(pos, length));
                pos += length;
            } else {
                append_hex_escape(out, c, '%');
                ++pos;
            }
        } else {
            append_hex_escape(out, c, '%');
            ++pos;
        }
    }
    return out;
}

Result<std::string> decode_path_component(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t pos = 0; pos < encoded.size(); ++pos) {
        if (encoded[pos] != '%') {
            out += encoded[pos];
            continue;
        }
        if (pos + 2 >= encoded.size() || hex_value(encoded[pos + 1]) < 0 ||
            hex_value(encoded[pos + 2]) < 0) {
            return failure(fmt::format("invalid %-escape in vault path component \"{}\"",
                                       escape_name(encoded)));
        }
        out += static_cast<char>(hex_value(encoded[pos + 1]) * 16 + hex_value(encoded[pos + 2]));
        pos += 2;
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace mv
