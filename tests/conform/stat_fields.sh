# memory.stat: the fields the kernel prints, in its order, and the counters
# that must agree (docs in README: bytes within max(4M,10%), pgpgin/pgfault
# zero/non-zero, limits exact; pgpgout and workingset_* shown only).
# Clean page cache of a known size: cache, total_cache, inactive_file.
mkdir w
spawn w file 20M
wait
cat w/memory.stat
# Anon of a known size, held: rss, inactive_anon; no cache.
mkdir a
spawn a anon 8M --hold
sleep 1s
cat a/memory.stat
kill 1002
# A child's page cache is in its parent's total_* fields, not its own.
mkdir -p p/c
spawn p/c file 8M
wait
cat p/memory.stat
cat p/c/memory.stat
# Page cache read under a 16M limit: reclaimed to the limit.
mkdir x
echo 16M > x/memory.limit_in_bytes
spawn x file 40M
wait
cat x/memory.stat
