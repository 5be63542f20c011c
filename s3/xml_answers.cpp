#include "s3/xml_answers.hpp"

#include <charconv>
#include <cstring>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <memory>
#include <mutex>

#include <fmt/format.h>

namespace mv::s3 {

namespace {

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

// No network, no entity substitution (the default keeps entities unexpanded), no
// messages on stderr: an answer is untrusted input.
Doc parse(std::string_view body) {
    static std::once_flag initialised;
    std::call_once(initialised, [] { xmlInitParser(); });
    if (body.size() > static_cast<std::size_t>(INT32_MAX)) {
        return nullptr;
    }
    return Doc(xmlReadMemory(body.data(), static_cast<int>(body.size()), "s3.xml", nullptr,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

const xmlChar* xml_text(const char* text) {
    return reinterpret_cast<const xmlChar*>(text);
}

bool named(const xmlNode* node, const char* name) {
    return node->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

const xmlNode* child(const xmlNode* parent, const char* name) {
    for (const xmlNode* node = parent->children; node != nullptr; node = node->next) {
        if (named(node, name)) {
            return node;
        }
    }
    return nullptr;
}

std::string text_of(const xmlNode* node) {
    if (node == nullptr) {
        return {};
    }
    xmlChar* content = xmlNodeGetContent(node);
    std::string text = content != nullptr ? reinterpret_cast<const char*>(content) : "";
    xmlFree(content);
    return text;
}

std::string child_text(const xmlNode* parent, const char* name) {
    return text_of(child(parent, name));
}

Result<const xmlNode*> root_named(const Doc& doc, const char* name) {
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (root == nullptr || !named(root, name)) {
        return failure(fmt::format("the storage service answered something that is not a {} "
                                   "document; is s3.endpoint an S3 service?",
                                   name));
    }
    return root;
}

Result<ListedObject> listed_object(const xmlNode* contents) {
    ListedObject object;
    object.key = child_text(contents, "Key");
    object.etag = child_text(contents, "ETag");
    const std::string size = child_text(contents, "Size");
    const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), object.size);
    if (object.key.empty() || error != std::errc() || end != size.data() + size.size()) {
        return failure(fmt::format("a listing entry has no key or a bad size \"{}\"", size));
    }
    return object;
}

} // namespace

ErrorBody parse_error_body(std::string_view body) {
    const Doc doc = parse(body);
    auto root = root_named(doc, "Error");
    if (!root) {
        return {};
    }
    return {child_text(*root, "Code"), child_text(*root, "Message")};
}

Result<ListPage> parse_list_page(std::string_view body) {
    const Doc doc = parse(body);
    auto root = root_named(doc, "ListBucketResult");
    if (!root) {
        return failure(root.error());
    }
    ListPage page;
    for (const xmlNode* node = (*root)->children; node != nullptr; node = node->next) {
        if (named(node, "Contents")) {
            auto object = listed_object(node);
            if (!object) {
                return failure(object.error());
            }
            page.objects.push_back(std::move(*object));
        }
    }
    page.truncated = child_text(*root, "IsTruncated") == "true";
    page.next_continuation_token = child_text(*root, "NextContinuationToken");
    if (page.truncated && page.next_continuation_token.empty()) {
        return failure("a truncated listing came without NextContinuationToken");
    }
    return page;
}

Result<std::string> parse_upload_id(std::string_view body) {
    const Doc doc = parse(body);
    auto root = root_named(doc, "InitiateMultipartUploadResult");
    if (!root) {
        return failure(root.error());
    }
    std::string upload_id = child_text(*root, "UploadId");
    if (upload_id.empty()) {
        return failure("the multipart upload was created without an UploadId");
    }
    return upload_id;
}

std::string complete_upload_body(const std::vector<UploadedPart>& parts) {
    const Doc doc(xmlNewDoc(xml_text("1.0")));
    xmlNode* root = xmlNewNode(nullptr, xml_text("CompleteMultipartUpload"));
    xmlDocSetRootElement(doc.get(), root);
    for (const auto& part : parts) {
        xmlNode* node = xmlNewChild(root, nullptr, xml_text("Part"), nullptr);
        // xmlNewTextChild escapes the content (an ETag holds quotes).
        xmlNewTextChild(node, nullptr, xml_text("PartNumber"),
                        xml_text(std::to_string(part.number).c_str()));
        xmlNewTextChild(node, nullptr, xml_text("ETag"), xml_text(part.etag.c_str()));
    }
    xmlChar* buffer = nullptr;
    int size = 0;
    xmlDocDumpMemory(doc.get(), &buffer, &size);
    std::string body(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
    xmlFree(buffer);
    return body;
}

} // namespace mv::s3
