# Miss ratio vs cache size, one PNG per trace, two panels (objects, bytes).
# Called by bench/sim/run.sh:
#   gnuplot -e "dat='X.dat'; out='X.png'; name='trace'" bench/sim/plot.gp
# Columns of X.dat (relais-sim --dat-dir): percent, then object and byte miss
# ratio of W-TinyLFU (Relais), S3-FIFO, LRU, FIFO, Belady (kAllPolicies order).
set terminal pngcairo size 1200,480 font ",10"
set output out
set multiplot layout 1,2 title sprintf("%s: miss ratio vs memory-tier size", name)
set logscale x
set xlabel "cache size (% of working set)"
set grid
set key top right
set yrange [0:*]
set style data linespoints
set ylabel "object miss ratio"
plot dat using 1:2 title "W-TinyLFU (Relais)" lw 2 pt 7, \
     dat using 1:4 title "S3-FIFO" lw 1.5 pt 11, \
     dat using 1:6 title "LRU" lw 1.5 pt 5, \
     dat using 1:8 title "FIFO" lw 1.5 pt 9, \
     dat using 1:10 title "Belady (offline)" lw 1.5 pt 13 dt 2
set ylabel "byte miss ratio"
plot dat using 1:3 title "W-TinyLFU (Relais)" lw 2 pt 7, \
     dat using 1:5 title "S3-FIFO" lw 1.5 pt 11, \
     dat using 1:7 title "LRU" lw 1.5 pt 5, \
     dat using 1:9 title "FIFO" lw 1.5 pt 9, \
     dat using 1:11 title "Belady (offline)" lw 1.5 pt 13 dt 2
unset multiplot
