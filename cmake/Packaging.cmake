# CPack: the Debian package of secretwatch.
#   cmake --build BUILD --target package     (or: cd BUILD && cpack -G DEB)
# It holds what `cmake --install` installs, laid out for Debian:
#   /usr/lib/collectd/secretwatch.so          the plugin (collectd's PluginDir)
#   /usr/bin/secretwatch-provision            the provisioning CLI
#   /usr/share/man/man1, man5                 secretwatch-provision(1), secretwatch(5)
#   /usr/share/doc/secretwatch/               README, collectd.conf.example, contrib/
# Included at the end of the top CMakeLists.txt, after every install() rule.

set(CPACK_PACKAGE_NAME "secretwatch")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "secretwatch")
set(CPACK_PACKAGE_CONTACT "secretwatch maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "collectd plugin that reports who read secrets in AWS Secrets Manager")
set(CPACK_PACKAGE_DESCRIPTION
    "secretwatch.so is a collectd read plugin: it pulls the CloudWatch metric \
that counts secret reads, the CloudWatch alarm on it and the raw CloudTrail \
records of each read into collectd values and notifications (Graphite, \
Prometheus, Nagios, email). secretwatch-provision builds, verifies and \
removes the AWS chain (trail, log group, metric filter, alarm, SNS topic) \
the plugin watches.")
set(CPACK_GENERATOR "DEB")
set(CPACK_STRIP_FILES ON)

# The plugin's destination is absolute (/usr/lib/collectd, collectd's
# PluginDir): staging through DESTDIR keeps it inside the package tree, and
# the prefix /usr is forced whatever CMAKE_INSTALL_PREFIX the build has.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Library dependencies (libcurl, libssl, json-c, libxml2) come from
# dpkg-shlibdeps; collectd itself is not a shared library dependency of the
# plugin (its symbols resolve at load time), so it is named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "collectd-core (>= 5.12)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "collectd-utils, graphite-carbon, python3-whisper, nagios4")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Our own maintainer scripts: CPack would otherwise add an ldconfig call for
# the plugin under /usr/lib; postrm removes the state files on purge.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/deb/postinst;${CMAKE_CURRENT_LIST_DIR}/deb/postrm")

set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "__pycache__")

include(CPack)
