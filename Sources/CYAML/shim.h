#ifndef BRIGADE_CYAML_SHIM_H
#define BRIGADE_CYAML_SHIM_H
#include <yaml.h>
#endif
