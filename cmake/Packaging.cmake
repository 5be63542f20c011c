# Installation as a systemd service and the Debian package (docs/SERVICE.md).
#
#   cmake --install build [--prefix /usr]            # honours DESTDIR
#   (cd build && cpack -G DEB)                       # modelvault_<version>_<arch>.deb
#
# Binaries go under the prefix (daemon/ and ctl/ install them); units, sysusers.d and
# tmpfiles.d entries under <prefix>/lib (not CMAKE_INSTALL_LIBDIR, which is multiarch on
# Debian; systemd looks in /usr/lib and /usr/local/lib); the default config in
# /etc/modelvault, where the daemon and ConfigurationDirectory= expect it whatever the
# prefix; the documentation in the doc dir.

set(MV_SYSTEMD_UNIT_DIR "lib/systemd/system"
    CACHE STRING "Where systemd units are installed (relative to the prefix, or absolute)")
set(MV_SYSUSERS_DIR "lib/sysusers.d" CACHE STRING "Where the sysusers.d entry is installed")
set(MV_TMPFILES_DIR "lib/tmpfiles.d" CACHE STRING "Where the tmpfiles.d entry is installed")
set(MV_DBUS_SYSTEM_DIR "share/dbus-1/system.d"
    CACHE STRING "Where the system-bus policy of the D-Bus service is installed")
set(MV_CONFIG_DIR "/etc/modelvault" CACHE STRING "Where the default configuration is installed")

set(MV_SYSTEMD_SOURCE "${PROJECT_SOURCE_DIR}/systemd")

# The units name /usr/sbin/modelvaultd and /usr/share/doc/modelvault, the Debian paths.
# They are rewritten at install time, when the final prefix is known (cpack installs with
# its own prefix, /usr, whatever the build was configured with).
install(CODE "
    set(sbindir \"${CMAKE_INSTALL_SBINDIR}\")
    set(docdir \"${CMAKE_INSTALL_DOCDIR}\")
    set(unitdir \"${MV_SYSTEMD_UNIT_DIR}\")
    foreach(var sbindir docdir unitdir)
        if(NOT IS_ABSOLUTE \"\${\${var}}\")
            set(\${var} \"\${CMAKE_INSTALL_PREFIX}/\${\${var}}\")
        endif()
    endforeach()
    foreach(unit modelvaultd.service modelvaultd.socket)
        file(READ \"${MV_SYSTEMD_SOURCE}/\${unit}\" text)
        string(REPLACE \"/usr/sbin/modelvaultd\" \"\${sbindir}/modelvaultd\" text \"\${text}\")
        string(REPLACE \"/usr/share/doc/modelvault\" \"\${docdir}\" text \"\${text}\")
        set(target \"\$ENV{DESTDIR}\${unitdir}/\${unit}\")
        message(STATUS \"Installing: \${target}\")
        file(MAKE_DIRECTORY \"\$ENV{DESTDIR}\${unitdir}\")
        file(WRITE \"\${target}\" \"\${text}\")
        file(CHMOD \"\${target}\" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
        list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${target}\")
    endforeach()
")

install(FILES "${MV_SYSTEMD_SOURCE}/sysusers.d/modelvault.conf" DESTINATION ${MV_SYSUSERS_DIR})
install(FILES "${MV_SYSTEMD_SOURCE}/tmpfiles.d/modelvault.conf" DESTINATION ${MV_TMPFILES_DIR})
# Lets the daemon own org.modelvault.Daemon1 on the system bus (docs/NOTIFICATIONS.md,
# "D-Bus"); dbus-daemon reads /usr/share/dbus-1/system.d, so only the /usr prefix makes it
# effective (as with the units).
install(FILES "${MV_SYSTEMD_SOURCE}/dbus/org.modelvault.Daemon1.conf"
        DESTINATION ${MV_DBUS_SYSTEM_DIR})

# The default config: installed only where none exists, so that re-installing from source
# never overwrites an admin's edits (the Debian package marks it a conffile instead).
install(CODE "
    set(target \"\$ENV{DESTDIR}${MV_CONFIG_DIR}/modelvault.json\")
    if(EXISTS \"\${target}\")
        message(STATUS \"Keeping: \${target} (the default is in the doc dir)\")
    else()
        # file(INSTALL) adds DESTDIR itself and records the file in the manifest.
        file(INSTALL \"${MV_SYSTEMD_SOURCE}/modelvault.json\" DESTINATION \"${MV_CONFIG_DIR}\"
             PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
    endif()
")

install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/ARCHITECTURE.md"
              "${PROJECT_SOURCE_DIR}/docs/CONFIG.md" "${PROJECT_SOURCE_DIR}/docs/FORMAT.md"
              "${PROJECT_SOURCE_DIR}/docs/PROTOCOL.md" "${PROJECT_SOURCE_DIR}/docs/SERVICE.md"
              "${PROJECT_SOURCE_DIR}/docs/CLI.md" "${PROJECT_SOURCE_DIR}/docs/NOTIFICATIONS.md"
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES "${MV_SYSTEMD_SOURCE}/modelvault.json" DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# Debian policy 12.5 and 12.7: every package ships /usr/share/doc/<package>/copyright and
# changelog.Debian.gz (compressed with gzip -9n, reproducible). The changelog's newest
# entry must be this version.
file(STRINGS "${MV_SYSTEMD_SOURCE}/debian/changelog" mv_changelog_head LIMIT_COUNT 1)
if(NOT mv_changelog_head MATCHES "^modelvault \\(${PROJECT_VERSION}\\) ")
    message(SEND_ERROR "systemd/debian/changelog starts with \"${mv_changelog_head}\": add an "
                       "entry for modelvault ${PROJECT_VERSION} at its top")
endif()
set(MV_CHANGELOG_GZ "${PROJECT_BINARY_DIR}/debian/changelog.Debian.gz")
add_custom_command(OUTPUT "${MV_CHANGELOG_GZ}"
    COMMAND sh -c "gzip -9nc \"$1\" > \"$2\"" sh "${MV_SYSTEMD_SOURCE}/debian/changelog"
            "${MV_CHANGELOG_GZ}"
    DEPENDS "${MV_SYSTEMD_SOURCE}/debian/changelog"
    COMMENT "Compressing the Debian changelog"
    VERBATIM)
add_custom_target(debian_changelog ALL DEPENDS "${MV_CHANGELOG_GZ}")
install(FILES "${MV_SYSTEMD_SOURCE}/debian/copyright" "${MV_CHANGELOG_GZ}"
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- Debian package --------------------------------------------------------------------
set(CPACK_PACKAGE_NAME "modelvault")
set(CPACK_PACKAGE_VENDOR "modelvault")
set(CPACK_PACKAGE_CONTACT "modelvault maintainers <modelvault@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "versioned, verified backups of machine-learning models")
set(CPACK_PACKAGE_DESCRIPTION
    "modelvaultd watches the folders training jobs write models into and keeps\n"
    "semver-tagged, compressed, SHA-256-verified versions of them in a vault of plain\n"
    "tar archives. modelvaultctl lists, restores and verifies versions.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Library dependencies come from dpkg-shlibdeps; systemd provides systemd-sysusers and
# systemd-tmpfiles for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd, procps")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# dpkg keeps an edited config across upgrades and removal because it is a conffile.
file(WRITE "${PROJECT_BINARY_DIR}/debian/conffiles" "${MV_CONFIG_DIR}/modelvault.json\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${MV_SYSTEMD_SOURCE}/debian/postinst" "${MV_SYSTEMD_SOURCE}/debian/prerm"
    "${MV_SYSTEMD_SOURCE}/debian/postrm" "${PROJECT_BINARY_DIR}/debian/conffiles")
include(CPack)
