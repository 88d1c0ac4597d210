# use_hierarchy: always on; a parent's limit binds its children.
mkdir -p p/c
cat p/memory.use_hierarchy
cat p/c/memory.use_hierarchy
echo 0 > p/c/memory.use_hierarchy
echo 30M > p/memory.limit_in_bytes
echo 0 > p/memory.swappiness
echo 0 > p/c/memory.swappiness
spawn p/c anon 64M
wait
cat p/memory.failcnt
cat p/c/memory.oom_control
