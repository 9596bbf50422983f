func(int, // x
 string)