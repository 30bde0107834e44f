module fipsgate.example/samples/debugfips

go 1.24
