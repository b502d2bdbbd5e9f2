// The benchmark driver; see README "Benchmark".
return 0;
