# File lists' errno: mkdir, rmdir, cat and writes that fail.
mkdir a
mkdir a
mkdir -p a/b/c
rmdir a
cat a/nope
echo 1 > a/nope
cat a/memory.limit_in_bytes
cd a/b/c
pwd
cd /sys/fs/cgroup/memory
rmdir a/b/c a/b a
rmdir a
