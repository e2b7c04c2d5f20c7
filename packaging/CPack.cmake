# packaging/CPack.cmake: a Debian package of calfpace.
#
# Included by the top CMakeLists.txt after its install() rules:
#
#   include(packaging/CPack.cmake)
#
# then, from the build tools/setup.sh makes (as the README says):
#
#   cd build && cpack -G DEB              # -> calfpace_VERSION_ARCH.deb
#   sudo apt-get install ./calfpace_*.deb
#
# Whatever prefix build/ was configured with, the package installs under
# /usr (CPACK_PACKAGING_INSTALL_PREFIX); the reminder's unit goes to
# /usr/lib/systemd/user and starts /usr/bin/calfpace
# (packaging/install-unit.cmake).
#
# The package holds what the install() rules install: the binary, the sounds
# (English and German, with phrases.tsv, their texts), the routines, the
# routine format, the man page, the bash completion, the reminder's systemd
# user unit, and the copyright file and changelog Debian asks for.  packaging/test-deb.sh builds, installs and tries it.
#
# Its dependencies are computed from the binary by dpkg-shlibdeps (package
# dpkg-dev) when that is there, and otherwise listed by hand for Debian 12
# and Ubuntu 22.04/24.04 (libasound2 is libasound2t64 on newer releases;
# install dpkg-dev to have them computed).

set(CALFPACE_MAINTAINER "calfpace developers <calfpace@example.org>"
    CACHE STRING "The Debian package's Maintainer field")

set(CPACK_VERBATIM_VARIABLES ON) # values reach CPackConfig.cmake as written here
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "calfpace")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "calfpace")
set(CPACK_PACKAGE_CONTACT "${CALFPACE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "audio-guided seated calf exercises (vein gymnastics)")
set(CPACK_PACKAGE_DESCRIPTION
    "calfpace paces the seated \"vein gymnastics\" routine by ear, for people
who sit a lot: heel raises on a rising metronome, tapping that gets faster
(left foot in the left ear, right foot in the right), and a seated calf and
hamstring stretch, with short rests and a spoken cue before each part, in
English or German.  Routines are small text files; calfpace plays them live
through PortAudio, renders them to WAV, FLAC or Ogg files sample-exactly,
reminds you to move at set intervals, and counts your sessions.
Not medical advice.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT") # calfpace_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CALFPACE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "sound")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Through the ALSA pulse plugin, PortAudio's ALSA backend reaches a
# PulseAudio or PipeWire server: what most desktops play through.  The
# completion is a bash-completion file.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libasound2-plugins, bash-completion")

find_program(CALFPACE_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(CALFPACE_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  message(STATUS "calfpace: dpkg-shlibdeps not found (package dpkg-dev); "
                 "the .deb lists its dependencies by hand")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libportaudio2, libsndfile1, libconfig9, libsamplerate0, libasound2, libsystemd0")
endif()

set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build[^/]*/" "\\.deb$")

include(CPack)
