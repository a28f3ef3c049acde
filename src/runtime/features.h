/* The runtime spec's features document for this runtime (features.c). */
#ifndef DXC_FEATURES_H
#define DXC_FEATURES_H

#include <jansson.h>

json_t *dxc_features_json (void);

#endif
