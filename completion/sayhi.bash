# bash completion for sayhi-server, sayhi-sync, sayhi-async and sayhi-compare.
#
# The flags come from the program's own --help at completion time, so a new
# flag completes as soon as it is in --help and nothing here can drift. A flag
# whose value --help names FILE completes file names, DIR directories, a list
# (status|json|sayhi) its words; other values (N, DURATION, URL, PATH, which is
# a URL's path...) complete nothing rather than a wrong guess. Installed once
# per program name so that bash-completion's on-demand loader finds it; works
# without bash-completion too (source it).

# _sayhi_options PROGRAM: one line per flag, "--flag" or "--flag VALUE", read
# from the option lines of PROGRAM --help ("  --flag VALUE  text",
# "  -n, --number N  text", "  --check a|b|c  text", "  --help, --version"),
# and "-n N" for a short form, so that its value completes as the long one's.
_sayhi_options()
{
    local help value="\( \([A-Z][A-Z_]*\|[a-z][a-z0-9]*\(|[a-z][a-z0-9]*\)\{1,\}\|'[^']*'\)\)\{0,1\}"
    help=$("$1" --help 2>/dev/null)
    {
        sed -n "s/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][-a-z]*$value\(, --[a-z][-a-z]*\)*\)\( .*\)\{0,1\}\$/\2/p" <<<"$help" |
            sed 's/, /\n/g'
        sed -n "s/^ \{1,\}\(-[a-zA-Z]\), --[a-z][-a-z]*$value\( .*\)\{0,1\}\$/\1\2/p" <<<"$help"
    } | sed "s/ '.*'\$/ VALUE/"
}

_sayhi()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --flag=value: bash splits it into --flag, = and value.
    [[ $prev == = && COMP_CWORD -gt 1 ]] && prev=${COMP_WORDS[COMP_CWORD - 2]}
    local options value
    options=$(_sayhi_options "${COMP_WORDS[0]}")
    COMPREPLY=()
    if [[ $prev == -* ]]; then
        value=$(printf '%s\n' "$options" | awk -v flag="$prev" '$1 == flag { print $2 }')
        case $value in
            FILE)
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                return 0
                ;;
            DIR)
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                return 0
                ;;
            *'|'*) # one of a list: --check status|json|sayhi
                mapfile -t COMPREPLY < <(compgen -W "${value//|/ }" -- "$cur")
                return 0
                ;;
            ?*) return 0 ;; # a value we cannot guess
        esac
    fi
    mapfile -t COMPREPLY < <(compgen -W "$(printf '%s\n' "$options" | awk '{ print $1 }')" -- "$cur")
}

complete -F _sayhi sayhi-server sayhi-sync sayhi-async sayhi-compare
