module regabi/gotypes

go 1.27
