# bench/common.sh - sourced by the bench scripts (run from the repository
# root).  ensure_index CORPUS DB: builds DB from CORPUS with `idx add` unless
# it already holds every article of CORPUS.
ensure_index() {
    local corpus=$1 db=$2 want have
    want=$(zcat -f "$corpus" | grep -c .)
    have=$(build/idx stats --json --db "$db" 2>/dev/null | jq -r .documents || echo 0)
    if [ "$have" != "$want" ]; then
        echo "building $db from $corpus ($want lines)..."
        rm -rf "$db"
        build/idx add -q --db "$db" "$corpus"
    fi
}
