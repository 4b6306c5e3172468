#!/bin/sh
# Records the fixtures of this folder from the real auditctl and auditd of the machine it runs on
# (README.md beside this file says when and where it ran). Needs root and a running auditd
# (Debian: apt-get install auditd; service auditd start). Changes the kernel's audit rules and
# settings while it runs, and leaves no rule with the key "docker" behind.
# Usage: sh capture.sh REPOSITORY_ROOT OUTPUT_DIR
set -eu
repo=$1 out=$2
rules=$repo/deploy/auditd/docker.rules
log=/var/log/audit/audit.log
as_auid() { sh -c 'echo 1000 > /proc/self/loginuid && exec "$@"' as_auid "$@"; }

auditctl -D -k docker >/dev/null 2>&1 || true
auditctl -v > "$out/versions.txt"; uname -r >> "$out/versions.txt"

# rule listings: shipped rules, some missing, none, the equivalent syscall-rule forms
auditctl -R "$rules" >/dev/null 2>"$out/load-errors.txt" || true
auditctl -l > "$out/rules-shipped.txt"
auditctl -s > "$out/status-enabled.txt"
auditctl -W /usr/sbin/dockerd -k docker
auditctl -W /etc/docker -p wa -k docker
auditctl -l > "$out/rules-some-missing.txt"
auditctl -D -k docker >/dev/null
auditctl -l > "$out/rules-none.txt"
auditctl -a always,exit -F path=/usr/sbin/dockerd -F perm=x -k docker
auditctl -a exit,always -F arch=b64 -S all -F dir=/etc/docker -F perm=wa -F key=docker
auditctl -a always,exit -F dir=/lib/systemd/system/docker.service -k docker
auditctl -a always,exit -F path=/usr/lib/systemd/system/docker.socket -F perm=wa -k docker
auditctl -a never,exit -F path=/etc/default/docker -k docker
auditctl -a always,exit -F arch=b64 -S all -F path=/usr/bin/containerd -F perm=x -F key=docker
auditctl -w /usr/sbin/runc -k docker -p x
auditctl -w /usr/bin/runc/ -k docker
auditctl -l > "$out/rules-equivalent.txt"
auditctl -D -k docker >/dev/null

# auditd's own records, written by a process whose login uid is 1000
start=$(wc -l < "$log")
auditctl -R "$rules" >/dev/null 2>&1 || true
"$repo/deploy/auditd/auditwatch-pulse"
as_auid auditctl -W /usr/sbin/dockerd -k docker
as_auid auditctl -D -k docker >/dev/null
as_auid auditctl -f 0 >/dev/null
as_auid auditctl -f 1 >/dev/null
as_auid auditctl -b 64 >/dev/null
as_auid auditctl -e 0 >/dev/null
auditctl -s > "$out/status-disabled.txt"
as_auid auditctl -e 1 >/dev/null
timeout 5 auditd -f -n >/dev/null 2>&1 || true   # a second auditd: set-pid fails
as_auid kill -TERM "$(pidof auditd)"
sleep 2   # auditd writes DAEMON_END as it stops; nothing to wait on but its exit
tail -n +"$((start + 1))" "$log" > "$out/auditd-config-change.log"
