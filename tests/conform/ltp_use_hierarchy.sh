# From LTP memcg_use_hierarchy_test.sh: a process over an ancestor's limit
# is killed (test1; the limit is 2M rather than LTP's page, as LTP's
# memcg_adjust_limit_for_kmem does: the kernel charges the subgroup's own
# kernel memory to p, so a one-page limit is EBUSY); enabling with children succeeds where hierarchy is
# always on, disabling fails (test2, test3, both where the kernel lets
# use_hierarchy be 0; here it is always 1).
mkdir -p p/subgroup
echo 1 > p/memory.use_hierarchy
echo 0 > p/memory.swappiness
echo 0 > p/subgroup/memory.swappiness
cat p/memory.usage_in_bytes
echo 2M > p/memory.limit_in_bytes
spawn p/subgroup anon 8M
wait
cat p/subgroup/memory.oom_control
cat p/memory.failcnt
echo 0 > p/subgroup/memory.use_hierarchy
echo 0 > p/memory.use_hierarchy
cat p/memory.use_hierarchy
