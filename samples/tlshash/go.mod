module fipsgate.example/samples/tlshash

go 1.19
