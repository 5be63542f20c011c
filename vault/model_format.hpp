#pragma once
// Model format detection from content, not from the file name (SPEC §3): HDF5, zip
// (PyTorch, Keras v3 or plain), pickle, safetensors, ONNX, GGUF, NumPy. A file whose
// content does not match its extension is flagged, never rejected.

#include <string>
#include <string_view>

namespace mv::vault {

struct DetectedFormat {
    std::string format = "unknown"; ///< "hdf5", "pytorch-zip", "keras-v3", "zip", "pickle", ...
    bool matches_extension = true;  ///< false when the extension promises another format
};

/// Inspects the first bytes of the open file `fd` (its offset is not changed) and the
/// name's extension. Never throws; unreadable content gives "unknown".
DetectedFormat detect_format(int fd, std::string_view file_name);

/// Detection from the bytes at the start of a file (at least 64 bytes when available)
/// and its total size; the pure core of detect_format().
std::string format_from_header(std::string_view head, unsigned long long file_size);

} // namespace mv::vault
