module fipsgate.example/samples/fipsonly

go 1.19
