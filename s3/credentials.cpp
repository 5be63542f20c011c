#include "s3/credentials.hpp"

#include <cerrno>
#include <sstream>
#include <sys/stat.h>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <fmt/format.h>

#include "util/fs.hpp"

namespace mv::s3 {

namespace {

constexpr std::size_t k_max_credentials_file = 64u << 10;

Result<void> check_private(const std::filesystem::path& path, int fd) {
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        return failure(errno_message(fmt::format("cannot inspect {}", path.string()), errno));
    }
    if ((status.st_mode & 077) != 0) {
        return failure(fmt::format(
            "credentials file {} may be read or changed by other users (mode {:04o}); run "
            "`chmod 600 {}` (and check who already read it)",
            path.string(), status.st_mode & 07777, path.string()));
    }
    return {};
}

} // namespace

Result<Credentials> load_credentials(const std::filesystem::path& path, std::string_view profile) {
    auto fd = fs::open_for_reading(path);
    if (!fd) {
        return failure(fmt::format("cannot read the credentials file: {}; create it with a "
                                   "[{}] section (docs/CONFIG.md, \"replicas\")",
                                   fd.error(), profile));
    }
    if (auto ok = check_private(path, fd->get()); !ok) {
        return failure(ok.error());
    }
    auto text = fs::read_file(path, k_max_credentials_file);
    if (!text) {
        return failure(text.error());
    }
    boost::property_tree::ptree tree;
    try {
        std::istringstream stream(*text);
        boost::property_tree::ini_parser::read_ini(stream, tree);
    } catch (const boost::property_tree::ini_parser_error& error) {
        return failure(fmt::format("{}:{}: {}; the file must use the AWS shared-credentials "
                                   "format ([{}] then key = value lines)",
                                   path.string(), error.line(), error.message(), profile));
    }
    const auto section = tree.get_child_optional(std::string(profile));
    if (!section) {
        return failure(fmt::format("{} has no [{}] section; add one with aws_access_key_id "
                                   "and aws_secret_access_key",
                                   path.string(), profile));
    }
    Credentials credentials;
    credentials.access_key_id = section->get<std::string>("aws_access_key_id", "");
    credentials.secret_access_key = section->get<std::string>("aws_secret_access_key", "");
    for (const auto& [key, value] : {std::pair{"aws_access_key_id", &credentials.access_key_id},
                                     {"aws_secret_access_key", &credentials.secret_access_key}}) {
        if (value->empty()) {
            return failure(fmt::format("{}: [{}] has no {}; add `{} = ...`", path.string(), profile,
                                       key, key));
        }
        if (value->find_first_of(":\r\n\t ") != std::string::npos) {
            return failure(fmt::format("{}: [{}] {} contains a space, tab or colon; copy the "
                                       "key again from your storage provider",
                                       path.string(), profile, key));
        }
    }
    return credentials;
}

} // namespace mv::s3
