#include "store/chunk_plan.hpp"

namespace mv::store {

namespace {

// Cuts one tensor region into fixed pieces measured from its first value.
void cut_tensor(const Region& region, const TensorCutParams& params, std::vector<Segment>& out) {
    if (region.length <= params.single_max) {
        out.push_back({region.offset, region.length, false, region.type, region.prefix});
        return;
    }
    const std::uint64_t values = region.offset + region.prefix;
    const std::uint64_t end = region.offset + region.length;
    std::uint64_t start = region.offset;
    std::uint64_t next = values + params.piece;
    while (start < end) {
        std::uint64_t stop = std::min(next, end);
        if (end - stop < params.small) {
            stop = end; // a short tail joins this piece
        }
        out.push_back(
            {start, stop - start, false, region.type, start == region.offset ? region.prefix : 0});
        start = stop;
        next += params.piece;
    }
}

bool joins(const Segment& group, const Region& next, const TensorCutParams& params) {
    return next.tensor && next.prefix == 0 && next.type == group.type &&
           next.length < params.small && group.length < params.small &&
           group.offset + group.length == next.offset;
}

} // namespace

std::vector<Segment> plan_segments(const FileLayout& layout, TensorCutParams params) {
    std::vector<Segment> segments;
    bool grouping = false; // the last segment is a group of small tensors that may grow
    for (const Region& region : layout.regions) {
        if (!region.tensor) {
            segments.push_back({region.offset, region.length, true, ValueType::unknown, 0});
            grouping = false;
            continue;
        }
        if (grouping && joins(segments.back(), region, params)) {
            segments.back().length += region.length;
            continue;
        }
        cut_tensor(region, params, segments);
        grouping = region.length < params.small;
    }
    return segments;
}

} // namespace mv::store
