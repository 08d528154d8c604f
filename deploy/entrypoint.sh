#!/bin/sh
# The image's entrypoint: readies the container for bubblewrap sandboxes, then execs the server (so that it gets
# the kubelet's SIGTERM and drains). What it does, and why (docs/adr/0029-kubernetes-deployment.md):
#
# 1. A spare /proc. A container runtime hides parts of the container's /proc under other mounts (/proc/kcore,
#    /proc/sys, ...). The kernel then refuses a new proc mount inside a user namespace, which every sandbox makes
#    ("bwrap: Can't mount proc on /newroot/proc: Operation not permitted"), unless some proc mount of the same
#    namespace is fully visible. A second proc mount, at a directory only root can reach, is: the container's own
#    /proc keeps its masks.
# 2. Cgroups read-write. A container that is not privileged gets /sys/fs/cgroup read-only; the server makes each
#    computer's memory and process limits there.
#
# Both need CAP_SYS_ADMIN and an AppArmor profile that allows mount. Once done, the server starts without
# CAP_SYS_ADMIN (it needs none: the sandboxes' namespaces are their own) and without CAP_SETPCAP (which only
# this dropping needs). In a privileged container both are
# already so and nothing is done. Anything that fails is said, and the server's own start check then says whether
# sandboxes work.
set -eu

say() { echo "porthole-entrypoint: $*" >&2; }

spare_proc=/opt/porthole/proc
# mounts below /proc other than /proc itself: the runtime's masks
if awk '$5 ~ "^/proc/" { found = 1 } END { exit !found }' /proc/self/mountinfo; then
  if ! awk -v p="$spare_proc" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    mount -t proc -o nosuid,nodev,noexec proc "$spare_proc" \
      || say "could not mount a spare /proc at $spare_proc (needs CAP_SYS_ADMIN and AppArmor allowing mount)"
  fi
fi

if awk '$5 == "/sys/fs/cgroup" && $6 ~ /(^|,)ro(,|$)/ { found = 1 } END { exit !found }' /proc/self/mountinfo; then
  mount -o remount,rw /sys/fs/cgroup \
    || say "could not make /sys/fs/cgroup writable: computers will run without memory and process limits"
fi

java="${JAVA_HOME:-/opt/java/openjdk}/bin/java"
set -- "$java" --enable-native-access=ALL-UNNAMED -jar /opt/porthole/porthole.jar serve "$@"
if setpriv --bounding-set=-sys_admin,-setpcap true 2>/dev/null; then
  exec setpriv --bounding-set=-sys_admin,-setpcap --inh-caps=-sys_admin,-setpcap -- "$@"
fi
say "could not drop CAP_SYS_ADMIN (dropping needs CAP_SETPCAP); the server keeps it"
exec "$@"
