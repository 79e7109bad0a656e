import RawStructuredFieldValues

/// The value of a signature parameter (RFC 9421 §2.3): the bare item types the registered parameters use.
public enum SignatureParameterValue: Hashable, Sendable {
    case integer(Int64)
    case string(String)
    case token(String)
    case boolean(Bool)
}

/// One parameter of a signature, such as `created=1618884473`.
public struct SignatureParameter: Hashable, Sendable {
    public var name: String
    public var value: SignatureParameterValue

    public init(_ name: String, _ value: SignatureParameterValue) {
        self.name = name
        self.value = value
    }
}

/// What one signature covers and its parameters: the inner list of a `Signature-Input` member (RFC 9421 §4.1),
/// such as `("@method" "@path" "content-digest");created=1618884473;keyid="hub-1"`.
public struct SignatureInput: Hashable, Sendable {
    /// The covered component identifiers, in order (`@method`, `content-digest`, …). Component parameters (`;sf`,
    /// `;req`, …) are not used by this API and are refused when parsing.
    public var components: [String]
    /// The parameters, in order: the order is part of the signature base.
    public var parameters: [SignatureParameter]

    public init(components: [String], parameters: [SignatureParameter]) {
        self.components = components
        self.parameters = parameters
    }

    /// The value of the parameter `name`, if present.
    public func parameter(_ name: String) -> SignatureParameterValue? {
        parameters.first { $0.name == name }?.value
    }

    /// `created`, if present and an integer.
    public var created: Int64? {
        if case .integer(let value)? = parameter("created") { return value }
        return nil
    }

    /// `expires`, if present and an integer.
    public var expires: Int64? {
        if case .integer(let value)? = parameter("expires") { return value }
        return nil
    }

    /// `nonce`, if present and a string.
    public var nonce: String? { stringParameter("nonce") }
    /// `keyid`, if present and a string.
    public var keyID: String? { stringParameter("keyid") }
    /// `alg`, if present and a string.
    public var algorithm: String? { stringParameter("alg") }

    func stringParameter(_ name: String) -> String? {
        if case .string(let value)? = parameter(name) { return value }
        return nil
    }

    /// The inner list as a structured field (RFC 8941 §4.1.1.1): the value after `"@signature-params": ` in the
    /// signature base, and after `label=` in `Signature-Input`.
    public func serialized() throws -> String {
        var serializer = StructuredFieldValueSerializer()
        return String(decoding: try serializer.writeListFieldValue([.innerList(try innerList())]), as: UTF8.self)
    }

    func innerList() throws -> InnerList {
        var items = BareInnerList()
        for component in components {
            items.append(Item(bareItem: RFC9651BareItem.string(component), parameters: OrderedMap()))
        }
        var parameters = OrderedMap<String, RFC9651BareItem>()
        for parameter in self.parameters {
            guard parameters[parameter.name] == nil else {
                throw SignatureInputError.duplicateParameter(parameter.name)
            }
            switch parameter.value {
            case .integer(let value): parameters[parameter.name] = .integer(value)
            case .string(let value): parameters[parameter.name] = .string(value)
            case .token(let value): parameters[parameter.name] = .token(value)
            case .boolean(let value): parameters[parameter.name] = .bool(value)
            }
        }
        return InnerList(bareInnerList: items, parameters: parameters)
    }

    /// The input from a parsed inner list; throws for anything this API does not use.
    init(innerList: InnerList) throws(SignatureInputError) {
        var components: [String] = []
        for item in innerList.bareInnerList {
            guard case .string(let name) = item.rfc9651BareItem else { throw .componentNotAString }
            guard item.rfc9651Parameters.count == 0 else { throw .componentParameters(name) }
            guard !components.contains(name) else { throw .duplicateComponent(name) }
            components.append(name)
        }
        var parameters: [SignatureParameter] = []
        for (name, value) in innerList.rfc9651Parameters {
            switch value {
            case .integer(let number): parameters.append(SignatureParameter(name, .integer(number)))
            case .string(let text): parameters.append(SignatureParameter(name, .string(text)))
            case .token(let text): parameters.append(SignatureParameter(name, .token(text)))
            case .bool(let flag): parameters.append(SignatureParameter(name, .boolean(flag)))
            default: throw .parameterType(name)
            }
        }
        self.init(components: components, parameters: parameters)
    }
}

/// Why a `Signature-Input` member is not one this API can use.
enum SignatureInputError: Error, CustomStringConvertible {
    case componentNotAString
    case componentParameters(String)
    case duplicateComponent(String)
    case duplicateParameter(String)
    case parameterType(String)

    var description: String {
        switch self {
        case .componentNotAString: return "a covered component is not a string"
        case .componentParameters(let name): return "the component \"\(name)\" has parameters, which are not supported"
        case .duplicateComponent(let name): return "the component \"\(name)\" is covered twice"
        case .duplicateParameter(let name): return "the parameter \(name) is given twice"
        case .parameterType(let name): return "the parameter \(name) has a type signatures do not use"
        }
    }
}
