#!/bin/bash
# Writes an initramfs archive in the cpio "newc" format (Linux Documentation/driver-api/early-userspace/buffer-format.rst)
# to stdout, from a list on stdin, one entry a line (parents before children):
#   dir   PATH MODE
#   file  PATH MODE SOURCE
#   slink PATH MODE TARGET
#   nod   PATH MODE c|b MAJOR MINOR
# Every entry is owned by root with mtime 0, so the archive depends only on its inputs; device nodes need no root.
set -euo pipefail

offset=0
ino=721

pad() { # zeros up to the next multiple of 4
    local n=$(( (4 - $1 % 4) % 4 ))
    if [ "$n" -gt 0 ]; then head -c "$n" /dev/zero; fi
    offset=$(( offset + n ))
}

entry() { # entry NAME MODE SIZE RDEVMAJOR RDEVMINOR NLINK
    local name=$1 namesize=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        "$ino" "$2" 0 0 "$6" 0 "$3" 0 0 "$4" "$5" "$namesize" 0
    printf '%s\0' "$name"
    ino=$(( ino + 1 ))
    offset=$(( offset + 110 + namesize ))
    pad "$offset"
}

data() { # data SIZE (the bytes come from the caller)
    offset=$(( offset + $1 ))
    pad "$offset"
}

while read -r kind path mode a b c; do
    [ -z "$kind" ] || [ "${kind:0:1}" = "#" ] && continue
    name=${path#/}
    perm=$(( 8#$mode ))
    case "$kind" in
        dir)   entry "$name" $(( 0040000 | perm )) 0 0 0 2 ;;
        file)  size=$(stat -c %s "$a")
               entry "$name" $(( 0100000 | perm )) "$size" 0 0 1
               cat "$a"; data "$size" ;;
        slink) entry "$name" $(( 0120000 | perm )) ${#a} 0 0 1
               printf '%s' "$a"; data ${#a} ;;
        nod)   type=$([ "$a" = b ] && echo $(( 0060000 )) || echo $(( 0020000 )))
               entry "$name" $(( type | perm )) 0 "$b" "$c" 1 ;;
        *)     echo "newc-cpio: unknown entry kind '$kind'" >&2; exit 1 ;;
    esac
done
entry "TRAILER!!!" 0 0 0 0 1
