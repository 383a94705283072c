/* ifu error codes.
 *
 * Every fallible ifu function returns int: 0 on success or one of the negative
 * codes below. Functions that return a count return >= 0 or a negative code.
 * The numbering is part of the ABI: codes are never renumbered, new codes are
 * appended. */
#ifndef IFU_ERRORS_H
#define IFU_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

enum ifu_err {
    IFU_OK = 0,
    /* Generic */
    IFU_EIO = -1,          /* a read/prog/erase callback failed */
    IFU_EINVAL = -2,       /* bad argument or inconsistent configuration */
    IFU_ESTATE = -3,       /* call not valid in the context's current state */
    IFU_ENOSPC = -4,       /* does not fit: image larger than its slot, buffer too small */
    IFU_EUNSUPPORTED = -5, /* well-formed, but needs a feature this build lacks */
    IFU_ECRYPTO = -6,      /* the crypto backend failed (not a verdict on the image) */
    /* Image format */
    IFU_EMAGIC = -10,     /* header magic is not 0x96f3b83d */
    IFU_EHEADER = -11,    /* header fields inconsistent (sizes, overflow) */
    IFU_ETRUNC = -12,     /* the image ends before its declared end */
    IFU_ETLVINFO = -13,   /* a TLV area's info header has a bad magic or length */
    IFU_ETLVBOUNDS = -14, /* a TLV runs past the end of its area */
    IFU_ETLVAREA = -15,   /* a TLV is in the area (protected or not) where it is not allowed */
    IFU_ETLVDUP = -16,    /* a TLV that may appear once appears twice */
    IFU_ETLVLEN = -17,    /* a TLV has the wrong length for its type */
    IFU_ETLVVALUE = -18,  /* a TLV's value is not one its type allows */
    /* Verification */
    IFU_ENOHASH = -20,   /* no image hash TLV */
    IFU_EHASH = -21,     /* image hash does not match the hash TLV */
    IFU_ENOKEY = -22,    /* no trusted key matches the image's key TLV */
    IFU_ENOSIG = -23,    /* no signature TLV for the trusted key */
    IFU_ESIG = -24,      /* the signature does not verify */
    IFU_EROLLBACK = -25, /* security counter or version below what is installed */
    /* Boot */
    IFU_ENOIMAGE = -26, /* no slot holds an image that verifies */
    IFU_ELAYOUT = -27,  /* slots are valid areas, but this boot mode cannot use them */
    /* Update */
    IFU_EGAP = -28,      /* a write starts past the next expected offset */
    IFU_EMISMATCH = -29, /* re-sent bytes differ from those already written */
    IFU_ERANGE = -30,    /* a write reaches past the image's end or the slot's largest image */
    IFU_ECANCELED = -31, /* the transfer was aborted */
    /* Keys */
    IFU_EREVOKED = -32, /* the image's key is known but revoked */
    /* Anti-rollback */
    IFU_ECOUNTER = -33, /* security counter exhausted, or cannot represent the value */
    /* Security */
    IFU_EFAULT = -34, /* a redundant check disagreed: fault suspected; never boot */
};

/* A short, constant, human-readable description of err. Never NULL; returns
 * "unknown error" for values that are not an ifu error code. */
const char *ifu_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* IFU_ERRORS_H */
