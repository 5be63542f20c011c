# Every dependency comes from a Debian package (see scripts/deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)                 # header-only Boost.Asio
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto SSL)  # libssl: TLS of the HTTP server (http/)
find_package(tl-expected REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive>=3.6)
pkg_check_modules(LIBZSTD REQUIRED IMPORTED_TARGET libzstd>=1.5)
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET libcurl>=7.85)   # webhooks (notify/), s3/
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0>=2.9)  # S3's XML answers (s3/)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq>=15)   # the shared catalog (catalog/)
if(MV_BUILD_TESTS)
    find_package(GTest REQUIRED)
endif()

# Asio without Boost's deprecated interfaces, and without pulling in Boost.System's library.
add_library(mv_asio INTERFACE)
target_link_libraries(mv_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(mv_asio INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_NO_TS_EXECUTORS)
