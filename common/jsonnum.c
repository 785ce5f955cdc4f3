/* jsonnum: rounded numbers for JSON output (jsonnum.h). */
#include "jsonnum.h"

#include <math.h>

double jsonnum_round(double v, int decimals)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0 || decimals > 9 || !isfinite(v))
        return v;
    double r = round(v * scale[decimals]) / scale[decimals];
    return r == 0 ? 0 : r; /* no "-0" */
}

cJSON *jsonnum_add(cJSON *o, const char *key, double v, int decimals)
{
    return cJSON_AddNumberToObject(o, key, jsonnum_round(v, decimals));
}
