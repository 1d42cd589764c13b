/* A stand-in for a kernel module's debug file: compiled with -c and combined with
 * `ld -r --build-id`, it is relocatable (ET_REL) with a build-id, like a .ko. */
int module_counter = 3;
static int module_table[4] = {1, 2, 3, 4};

int module_function_a(int x) { return x + module_counter; }
int module_function_b(int x) { return module_table[x & 3] * 2; }
