/// What in-place applicators evaluated, for `unevaluatedProperties` and
/// `unevaluatedItems`. Only gathered where such a keyword asks for it.
struct Annotations {
    var properties: Set<String> = []
    var allProperties = false
    /// Items 0..<prefixItems were evaluated.
    var prefixItems = 0
    var allItems = false
    var containsItems: Set<Int> = []

    mutating func merge(_ other: Annotations) {
        if other.allProperties { allProperties = true } else if !other.properties.isEmpty { properties.formUnion(other.properties) }
        prefixItems = max(prefixItems, other.prefixItems)
        if other.allItems { allItems = true }
        if !other.containsItems.isEmpty { containsItems.formUnion(other.containsItems) }
    }
}
