# packaging/install-unit.cmake: installs the reminder's systemd user unit.
#
# Runs at install time (install(SCRIPT) in the top CMakeLists.txt), so that
# both the unit's folder and its ExecStart follow the prefix the install is
# given, 'cmake --install build --prefix DIR' as much as the configured one,
# and a .deb (CPack installs with DESTDIR under CMAKE_INSTALL_PREFIX=/usr).
#
# Where:  PREFIX/lib/systemd/user, where systemd looks for /usr and
#         /usr/local; for a prefix inside $HOME (a user-local install such as
#         ~/.local) PREFIX/share/systemd/user, which is where the user's
#         systemd looks ($XDG_DATA_HOME/systemd/user).
# Set CALFPACE_UNIT_DIR (cache, an absolute path) to choose the folder.
if(CALFPACE_UNIT_DIR)
  set(unit_dir "${CALFPACE_UNIT_DIR}")
else()
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/user")
  if(DEFINED ENV{HOME} AND NOT "$ENV{HOME}" STREQUAL "/" AND NOT "$ENV{HOME}" STREQUAL ""
     AND CMAKE_INSTALL_PREFIX MATCHES "^$ENV{HOME}/")
    set(unit_dir "${CMAKE_INSTALL_PREFIX}/share/systemd/user")
  endif()
endif()
if(IS_ABSOLUTE "${CALFPACE_BINDIR}")
  set(CALFPACE_EXEC "${CALFPACE_BINDIR}/calfpace")
else()
  set(CALFPACE_EXEC "${CMAKE_INSTALL_PREFIX}/${CALFPACE_BINDIR}/calfpace")
endif()
configure_file("${CALFPACE_UNIT_IN}" "${CALFPACE_UNIT_OUT}" @ONLY)
file(INSTALL "${CALFPACE_UNIT_OUT}" DESTINATION "${unit_dir}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
