module regabi.test/cbprobe

go 1.22
