#pragma once
// Model format detection from content, not from the file name (docs/FORMAT.md): HDF5, zip
// (PyTorch, Keras v3 or plain), pickle, safetensors, ONNX, GGUF, NumPy. A file whose
// content does not match its extension is flagged, never rejected.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mv::vault {

/// The 8 bytes an HDF5 superblock starts with.
inline constexpr std::string_view k_hdf5_signature = "\x89HDF\r\n\x1a\n";
/// The longest safetensors JSON header taken for one (the format's own reader refuses
/// longer ones, 100 MB).
inline constexpr std::uint64_t k_max_safetensors_header_length = 100u << 20;

struct DetectedFormat {
    std::string format = "unknown"; ///< "hdf5", "pytorch-zip", "keras-v3", "zip", "pickle", ...
    bool matches_extension = true;  ///< false when the extension promises another format
};

/// The lower-case extension of a file name, without the dot ("" when there is none).
std::string lower_extension(std::string_view name);

/// Inspects the first bytes of the open file `fd` (its offset is not changed) and the
/// name's extension. Never throws; unreadable content gives "unknown".
DetectedFormat detect_format(int fd, std::string_view file_name);

/// Detection from the bytes at the start of a file (at least 64 bytes when available)
/// and its total size; the pure core of detect_format().
std::string format_from_header(std::string_view head, unsigned long long file_size);

} // namespace mv::vault

namespace mv::vault {

/// The cheap structural check (docs/CONFIG.md `checkpoints`) that tells a finished file from one
/// still being written, without loading any framework: a zip needs its end-of-central-directory
/// record where the directory says, a safetensors file `8 + header length + last data
/// offset == size`, a pickle its final STOP byte, an HDF5 file its signature. Formats
/// without a check are complete.
struct StructureCheck {
    bool complete = true;
    std::string problem; ///< why it looks unfinished
};

/// Checks the open file `fd` of detected format `format` (as detect_format() named it).
/// `file_name` decides cases the content cannot (a legacy PyTorch .pt is a pickle
/// followed by raw tensor data, so the STOP check does not apply to it).
StructureCheck check_structure(int fd, const std::string& format, std::string_view file_name);

/// Folders whose writer marks completion with a file written last: a TensorFlow
/// SavedModel (variables/ first, saved_model.pb last) and a torch.distributed.checkpoint
/// folder (*.distcp first, .metadata last). `files` are the folder's regular files,
/// relative to it. Other folders are complete.
StructureCheck check_folder(const std::vector<std::string>& files);

} // namespace mv::vault
