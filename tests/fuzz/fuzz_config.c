/* libFuzzer target over the config file grammar (config_load reads a file). */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char err[1024];
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/herald-fuzz-conf.%d", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	config_defaults();
	config_load(path, 1, err, sizeof(err));
	return 0;
}
