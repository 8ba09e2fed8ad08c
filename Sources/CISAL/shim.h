#ifndef HUTONG_CISAL_SHIM_H
#define HUTONG_CISAL_SHIM_H
/* Intel ISA-L's igzip: gzip streams in the standard format, compressed and
   decompressed several times faster than zlib (see Gzip.swift). */
#include <isa-l/igzip_lib.h>

/* The working buffer each level needs; the sizes are macro expressions
   Swift does not import. Level 0 needs none. */
static inline unsigned int hutong_isal_level_buffer_size(unsigned int level) {
    switch (level) {
    case 1: return ISAL_DEF_LVL1_DEFAULT;
    case 2: return ISAL_DEF_LVL2_DEFAULT;
    case 3: return ISAL_DEF_LVL3_DEFAULT;
    default: return 0;
    }
}
#endif
