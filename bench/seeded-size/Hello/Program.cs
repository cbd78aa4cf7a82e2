// The runtime's floor: start, write a line, exit.
System.Console.WriteLine("hello");
