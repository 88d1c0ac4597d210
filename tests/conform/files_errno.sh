# File lists' errno: mkdir, rmdir, cat and writes that fail.
mkdir a
mkdir a
mkdir -p a/b/c
rmdir a
cat a/nope
echo 1 > a/nope
cat a/memory.limit_in_bytes
# Which files the kernel has: ALinux's wmark and exstat files, the v1
# exports of v2 files and memory.reclaim are not upstream v1 files.
cat a/memory.wmark_ratio
cat a/memory.exstat
cat a/memory.min
cat a/memory.high
cat a/memory.events
cat a/memory.reclaim
cat a/memory.peak
cat a/memory.current
cat a/memory.kmem.tcp.failcnt
cat a/memory.memsw.failcnt
cat a/memory.soft_limit_in_bytes
cat a/memory.pressure_level
echo 1 > a/memory.stat
echo 1 > a/memory.usage_in_bytes
cd a/b/c
pwd
cd /sys/fs/cgroup/memory
rmdir a/b/c a/b a
rmdir a
