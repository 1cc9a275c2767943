# shellcheck shell=bash
# bench/lib/report.sh: statistics over rounds and the plot. Pure functions of their
# arguments (numbers are space-separated lists, one value per round).
#
# Stable functions:
#   stats_median "V1 V2 ..."       median, or n/a when the list is empty
#   stats_min "V..." / stats_max "V..."
#   stats_spread "V..." [FMT]      "median (min–max)" with printf FMT (default %.0f)
#   stats_ratio A B                A/B to 2 decimals, n/a if either is n/a/empty or B is 0
#   stats_paired_ratio "A..." "B..."
#                                  median of the per-round ratios A_i/B_i (servers measured
#                                  minutes apart in the same round, under the same background load)
#   stats_div A B [FMT]            A/B with FMT (%.0f), n/a on bad input
#   report_plot DATA PNG TITLE     gnuplot grouped bars, log y: DATA has a header line
#                                  "scenario server1 server2 ..." then one line per scenario
#                                  (label with no spaces, then one value per server, "-" = none)

[ -n "${_BENCH_REPORT_SH:-}" ] && return 0
_BENCH_REPORT_SH=1

_stats_sorted() { tr ' ' '\n' <<<"$1" | awk 'NF && $1 != "n/a"' | sort -g; }

stats_median() {
  _stats_sorted "$1" | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'
}
stats_min() { _stats_sorted "$1" | awk 'NR==1 {print; f=1} END {if (!f) print "n/a"}'; }
stats_max() { _stats_sorted "$1" | awk '{v=$1} END {print (NR ? v : "n/a")}'; }

stats_spread() {
  local fmt=${2:-%.0f} m lo hi
  m=$(stats_median "$1"); lo=$(stats_min "$1"); hi=$(stats_max "$1")
  [ "$m" = n/a ] && { echo n/a; return; }
  if [ "$lo" = "$hi" ]; then printf "$fmt\n" "$m"; else printf "$fmt ($fmt–$fmt)\n" "$m" "$lo" "$hi"; fi
}

stats_ratio() {
  case "$1|$2" in *n/a*|"|"*|*"|") echo n/a; return ;; esac
  awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "n/a"; else printf "%.2f\n", a / b}'
}

stats_div() {
  case "$1|$2" in *n/a*|"|"*|*"|") echo n/a; return ;; esac
  awk -v a="$1" -v b="$2" -v f="${3:-%.0f}" 'BEGIN {if (b == 0) print "n/a"; else printf f "\n", a / b}'
}

stats_paired_ratio() {
  [ -n "$1" ] && [ -n "$2" ] || { echo n/a; return; }
  local r
  r=$(paste <(tr ' ' '\n' <<<"$1" | awk 'NF') <(tr ' ' '\n' <<<"$2" | awk 'NF') \
      | awk '$1 != "n/a" && $2 != "n/a" && $2 > 0 {printf "%.4f ", $1 / $2}')
  r=$(stats_median "$r")
  [ "$r" = n/a ] && echo n/a || printf "%.2f\n" "$r"
}

report_plot() {
  local data=$1 png=$2 title=$3 ncol
  ncol=$(head -1 "$data" | awk '{print NF}')
  gnuplot <<EOF
set terminal pngcairo size 1400,700 font ",10" noenhanced
set output "$png"
set title "$title"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [100:*]
set ylabel "requests/s (log scale, median of rounds)"
set xtics rotate by -30 nomirror
set grid ytics
set key top right
set datafile missing "-"
plot for [i=2:$ncol] "$data" using i:xtic(1) title columnheader(i)
EOF
}
