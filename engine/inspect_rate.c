/*
 * inspect_rate.c - what an imported global can do: the lists behind
 * av_inspect_rate.
 *
 * Dangerous: whole modules that reach the system, processes, the network
 * or the importer, and single names of otherwise harmless modules that
 * evaluate code or reach attributes (builtins.eval, getattr, ...).  Safe:
 * the data-only constructors that PyTorch, NumPy and the standard library
 * write into ordinary checkpoints.  Everything else is suspicious, and the
 * supply_chain plugin decides what each rating means for a verdict.
 */
#include <stdbool.h>
#include <string.h>

#include "inspect_int.h"

/* Modules every name of which is dangerous, with their submodules. */
static const char *const bad_modules[] = {"os",
                                          "posix",
                                          "nt",
                                          "subprocess",
                                          "sys",
                                          "shutil",
                                          "socket",
                                          "runpy",
                                          "webbrowser",
                                          "requests",
                                          "httplib",
                                          "http",
                                          "urllib",
                                          "urllib2",
                                          "urllib3",
                                          "pty",
                                          "commands",
                                          "importlib",
                                          "code",
                                          "codeop",
                                          "ctypes",
                                          "multiprocessing",
                                          "pickle",
                                          "_pickle",
                                          "cPickle",
                                          "dill",
                                          "cloudpickle",
                                          "joblib",
                                          "marshal",
                                          "asyncio",
                                          "pdb",
                                          "bdb",
                                          "timeit",
                                          "profile",
                                          "cProfile",
                                          "trace",
                                          "signal",
                                          "platform",
                                          "_posixsubprocess",
                                          "pip",
                                          "ftplib",
                                          "smtplib",
                                          "telnetlib",
                                          "ssl",
                                          "httpx",
                                          "aiohttp",
                                          "venv",
                                          "tempfile",
                                          "glob",
                                          "pathlib",
                                          "io",
                                          "_io",
                                          "fcntl",
                                          "resource",
                                          "mmap",
                                          "threading",
                                          "_thread",
                                          "ensurepip",
                                          "distutils",
                                          "setuptools",
                                          "pkgutil",
                                          "zipimport",
                                          "types",
                                          "sqlite3",
                                          "uuid",
                                          "imp"};

/* Single names that are dangerous. */
static const char *const bad_names[][2] = {
    {"builtins", "eval"},
    {"builtins", "exec"},
    {"builtins", "execfile"},
    {"builtins", "compile"},
    {"builtins", "open"},
    {"builtins", "__import__"},
    {"builtins", "getattr"},
    {"builtins", "setattr"},
    {"builtins", "delattr"},
    {"builtins", "globals"},
    {"builtins", "locals"},
    {"builtins", "vars"},
    {"builtins", "input"},
    {"builtins", "breakpoint"},
    {"builtins", "apply"},
    {"builtins", "file"},
    {"builtins", "reload"},
    {"builtins", "help"},
    {"builtins", "exit"},
    {"builtins", "quit"},
    {"operator", "attrgetter"},
    {"operator", "methodcaller"},
    {"_operator", "attrgetter"},
    {"_operator", "methodcaller"},
    {"functools", "reduce"},
    {"torch", "load"},
    {"torch.serialization", "load"},
    {"torch.hub", "load"},
    {"torch.storage", "_load_from_bytes"},
    {"numpy", "load"},
    {"numpy", "loads"},
    {"numpy.lib.npyio", "load"},
    {"keras.layers", "Lambda"},
    {"copyreg", "_extension_registry"},
    {AV_INSP_UNRESOLVED, AV_INSP_UNRESOLVED},
};

/* Data constructors that load only data. */
static const char *const safe_names[][2] = {
    {"collections", "OrderedDict"},
    {"collections", "defaultdict"},
    {"collections", "deque"},
    {"torch._utils", "_rebuild_tensor"},
    {"torch._tensor", "_rebuild_from_type_v2"},
    {"torch", "Size"},
    {"torch", "device"},
    {"torch", "dtype"},
    {"torch", "float16"},
    {"torch", "float32"},
    {"torch", "float64"},
    {"torch", "bfloat16"},
    {"torch", "half"},
    {"torch", "float"},
    {"torch", "double"},
    {"torch", "int8"},
    {"torch", "int16"},
    {"torch", "int32"},
    {"torch", "int64"},
    {"torch", "uint8"},
    {"torch", "bool"},
    {"torch", "long"},
    {"torch", "int"},
    {"torch", "short"},
    {"torch", "complex64"},
    {"torch", "complex128"},
    {"torch", "float8_e4m3fn"},
    {"torch", "float8_e5m2"},
    {"torch.nn.parameter", "Parameter"},
    {"torch.storage", "UntypedStorage"},
    {"torch.storage", "TypedStorage"},
    {"numpy.core.multiarray", "_reconstruct"},
    {"numpy._core.multiarray", "_reconstruct"},
    {"numpy.core.multiarray", "scalar"},
    {"numpy._core.multiarray", "scalar"},
    {"numpy", "dtype"},
    {"numpy", "ndarray"},
    {"numpy.core.numeric", "_frombuffer"},
    {"numpy._core.numeric", "_frombuffer"},
    {"_codecs", "encode"},
    {"builtins", "set"},
    {"builtins", "frozenset"},
    {"builtins", "slice"},
    {"builtins", "complex"},
    {"builtins", "bytearray"},
    {"builtins", "range"},
    {"builtins", "dict"},
    {"builtins", "list"},
    {"builtins", "tuple"},
    {"builtins", "int"},
    {"builtins", "float"},
    {"builtins", "bool"},
    {"builtins", "str"},
    {"builtins", "bytes"},
    {"datetime", "datetime"},
    {"datetime", "date"},
    {"datetime", "timedelta"},
    {"decimal", "Decimal"},
};

static bool
module_in(const char *module, const char *base)
{
	size_t n = strlen(base);

	return strncmp(module, base, n) == 0 && (module[n] == '\0' || module[n] == '.');
}

static bool
suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

av_rating
av_inspect_rate(const char *module, const char *name)
{
	/* Python 2 pickles name builtins "__builtin__"; some tools write "__builtins__". */
	if (strcmp(module, "__builtin__") == 0 || strcmp(module, "__builtins__") == 0)
		module = "builtins";
	for (size_t i = 0; i < sizeof(bad_modules) / sizeof(bad_modules[0]); i++)
		if (module_in(module, bad_modules[i]))
			return AV_RATING_DANGEROUS;
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		if (strcmp(module, bad_names[i][0]) == 0 && strcmp(name, bad_names[i][1]) == 0)
			return AV_RATING_DANGEROUS;
	for (size_t i = 0; i < sizeof(safe_names) / sizeof(safe_names[0]); i++)
		if (strcmp(module, safe_names[i][0]) == 0 && strcmp(name, safe_names[i][1]) == 0)
			return AV_RATING_SAFE;
	/* torch._utils._rebuild_tensor_v2, _rebuild_parameter, ...; torch.FloatStorage, ... */
	if (strcmp(module, "torch._utils") == 0 && strncmp(name, "_rebuild_", 9) == 0)
		return AV_RATING_SAFE;
	if (strcmp(module, "torch") == 0 && suffix(name, "Storage") && strchr(name, '.') == NULL)
		return AV_RATING_SAFE;
	return AV_RATING_SUSPICIOUS;
}
