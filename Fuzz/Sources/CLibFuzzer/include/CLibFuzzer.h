#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for a program whose own main chooses the target.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
