/* The example from issue #3: prints "Error opening file: No such file or
 * directory" when example.txt is missing, nothing (exit 0) when it exists. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main()
{
	int fileDescriptor = open("example.txt", O_RDONLY);
	if (fileDescriptor == -1) {
		perror("Error opening file");
		return 1;
	}
	close(fileDescriptor);
	return 0;
}
