# Language level and build defaults shared by every target.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

# Binaries land in one folder so integration tests find them next to each other.
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")

# Every component library is a static library named mv_<folder>; the linker then
# enforces the dependency direction documented in ARCHITECTURE.md.
# Each library exposes only its own headers: its include path is a folder of the build
# that holds one link, <folder> -> the component's sources, so `#include "<folder>/x.hpp"`
# resolves only in targets that depend on mv_<folder> (directly or through a public
# dependency). A header used without declaring the dependency is a compile error, even
# when it is header-only (ARCHITECTURE.md, "Who may include whom").
function(mv_component name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
    add_library(mv_${name} STATIC ${ARG_SOURCES})
    set(exposed "${PROJECT_BINARY_DIR}/exposed/${name}")
    file(MAKE_DIRECTORY "${exposed}")
    file(CREATE_LINK "${CMAKE_CURRENT_SOURCE_DIR}" "${exposed}/${name}" SYMBOLIC)
    target_include_directories(mv_${name} PUBLIC "${exposed}")
    target_link_libraries(mv_${name} PUBLIC ${ARG_DEPENDS} PRIVATE ${ARG_PRIVATE_DEPENDS} mv_warnings)
endfunction()
