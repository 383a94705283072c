/* see include/ifu/errors.h */
#include "ifu/errors.h"

#include <stddef.h>

struct err_name {
    int code;
    const char *text;
};

static const struct err_name err_names[] = {
    {IFU_OK, "success"},
    {IFU_EIO, "flash or storage access failed"},
    {IFU_EINVAL, "invalid argument or configuration"},
    {IFU_ESTATE, "operation not valid in the current state"},
    {IFU_ENOSPC, "does not fit in the space available"},
    {IFU_EUNSUPPORTED, "feature or algorithm not supported by this build"},
    {IFU_ECRYPTO, "crypto backend failure"},
    {IFU_EMAGIC, "bad image magic"},
    {IFU_EHEADER, "inconsistent image header"},
    {IFU_ETRUNC, "image truncated"},
    {IFU_ETLVINFO, "bad TLV area info header"},
    {IFU_ETLVBOUNDS, "TLV runs past the end of its area"},
    {IFU_ETLVAREA, "TLV not allowed in this area"},
    {IFU_ETLVDUP, "duplicate TLV"},
    {IFU_ETLVLEN, "TLV has a bad length"},
    {IFU_ETLVVALUE, "TLV has an invalid value"},
    {IFU_ENOHASH, "image has no hash TLV"},
    {IFU_EHASH, "image hash mismatch"},
    {IFU_ENOKEY, "no trusted key matches the image"},
    {IFU_ENOSIG, "no signature for the trusted key"},
    {IFU_ESIG, "bad signature"},
    {IFU_EROLLBACK, "rollback refused: image older than allowed"},
    {IFU_ENOIMAGE, "no bootable image"},
    {IFU_ELAYOUT, "slot layout not usable by this boot mode"},
    {IFU_EGAP, "write leaves a gap after the bytes received"},
    {IFU_EMISMATCH, "re-sent bytes differ from those already written"},
    {IFU_ERANGE, "write past the end of the image or slot"},
    {IFU_ECANCELED, "update cancelled"},
    {IFU_EREVOKED, "key revoked"},
    {IFU_ECOUNTER, "security counter exhausted or cannot hold the value"},
    {IFU_EFAULT, "redundant checks disagree: fault suspected"},
};

const char *ifu_strerror(int err)
{
    for (size_t i = 0; i < sizeof err_names / sizeof err_names[0]; i++) {
        if (err_names[i].code == err) {
            return err_names[i].text;
        }
    }
    return "unknown error";
}
