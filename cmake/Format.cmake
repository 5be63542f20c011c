# `format` rewrites, `check_format` fails on any file clang-format would change.
find_program(CLANG_FORMAT NAMES clang-format clang-format-14)
if(CLANG_FORMAT)
    file(GLOB_RECURSE MV_FORMAT_FILES CONFIGURE_DEPENDS
        ${PROJECT_SOURCE_DIR}/util/*.[ch]pp ${PROJECT_SOURCE_DIR}/config/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/vault/*.[ch]pp ${PROJECT_SOURCE_DIR}/retention/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/scheduler/*.[ch]pp ${PROJECT_SOURCE_DIR}/watcher/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/ipc/*.[ch]pp ${PROJECT_SOURCE_DIR}/systemd/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/daemon/*.[ch]pp ${PROJECT_SOURCE_DIR}/ctl/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/audit/*.[ch]pp ${PROJECT_SOURCE_DIR}/metrics/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/notify/*.[ch]pp ${PROJECT_SOURCE_DIR}/s3/*.[ch]pp ${PROJECT_SOURCE_DIR}/replica/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/crypto/*.[ch]pp ${PROJECT_SOURCE_DIR}/http/*.[ch]pp ${PROJECT_SOURCE_DIR}/web/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/store/*.[ch]pp
        ${PROJECT_SOURCE_DIR}/tests/*.[ch]pp ${PROJECT_SOURCE_DIR}/bench/*.[ch]pp)
    add_custom_target(format COMMAND ${CLANG_FORMAT} -i ${MV_FORMAT_FILES})
    add_custom_target(check_format COMMAND ${CLANG_FORMAT} --dry-run -Werror ${MV_FORMAT_FILES})
endif()
