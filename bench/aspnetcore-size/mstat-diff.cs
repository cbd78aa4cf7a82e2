// Compares two NativeAOT .mstat files (measure.sh --mstat): the bytes of compiled methods, type structures and data
// blobs, summed by the assembly that owns each method or type, largest difference first.
//
//   dotnet run bench/aspnetcore-size/mstat-diff.cs -- A.mstat B.mstat [rows] [assembly]
//
// With [assembly], the rows are that assembly's types instead. An .mstat is an ECMA-335 assembly whose <Module>
// methods "Methods", "Types" and "Blobs" hold one record per compiled item as IL: ldtoken (or ldstr, for a blob) then
// ldc.i4 constants, the first being the item's size; a method's next two are its GC and EH info sizes.
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

int rows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40;
string? detail = args.Length > 3 ? args[3] : null;
Dictionary<string, long> a = Sizes(args[0], detail);
Dictionary<string, long> b = Sizes(args[1], detail);
Console.WriteLine($"{"owner",-70} {"A",10} {"B",10} {"B - A",10}");
foreach (string key in a.Keys.Union(b.Keys).OrderByDescending(k => Math.Abs(b.GetValueOrDefault(k) - a.GetValueOrDefault(k))).Take(rows))
{
    Console.WriteLine($"{key,-70} {a.GetValueOrDefault(key),10} {b.GetValueOrDefault(key),10} {b.GetValueOrDefault(key) - a.GetValueOrDefault(key),10}");
}

Console.WriteLine($"{"total",-70} {a.Values.Sum(),10} {b.Values.Sum(),10} {b.Values.Sum() - a.Values.Sum(),10}");

static Dictionary<string, long> Sizes(string path, string? detail)
{
    using FileStream file = File.OpenRead(path);
    using PEReader pe = new(file);
    MetadataReader metadata = pe.GetMetadataReader();
    Owners owners = new(metadata);
    Dictionary<string, long> sums = [];
    TypeDefinition module = metadata.GetTypeDefinition(MetadataTokens.TypeDefinitionHandle(1));
    foreach (MethodDefinitionHandle handle in module.GetMethods())
    {
        MethodDefinition method = metadata.GetMethodDefinition(handle);
        string table = metadata.GetString(method.Name);
        if (table is not ("Methods" or "Types" or "Blobs"))
        {
            continue;
        }

        foreach ((EntityHandle? token, string? name, List<int> values) in Records(pe, metadata, method))
        {
            string key = token is { } t ? (detail is null ? owners.Assembly(t) : owners.Assembly(t) == detail ? owners.Type(t) : string.Empty) : "(blob) " + name;
            if (key.Length == 0 || (detail is not null && token is null))
            {
                continue;
            }

            sums[key] = sums.GetValueOrDefault(key) + values[0];
            if (table == "Methods" && values.Count > 2)
            {
                sums["(GC and EH info)"] = sums.GetValueOrDefault("(GC and EH info)") + values[1] + values[2];
            }
        }
    }

    return sums;
}

static List<(EntityHandle? Token, string? Name, List<int> Values)> Records(PEReader pe, MetadataReader metadata, MethodDefinition method)
{
    List<(EntityHandle?, string?, List<int>)> records = [];
    BlobReader il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
    while (il.RemainingBytes > 0)
    {
        byte op = il.ReadByte();
        switch (op)
        {
            case 0xD0: records.Add((MetadataTokens.EntityHandle(il.ReadInt32()), null, [])); break;                                    // ldtoken
            case 0x72: records.Add((null, metadata.GetUserString(MetadataTokens.UserStringHandle(il.ReadInt32() & 0xFFFFFF)), [])); break; // ldstr
            case 0x20: records[^1].Item3.Add(il.ReadInt32()); break;                                                                     // ldc.i4
            case 0x1F: records[^1].Item3.Add(il.ReadSByte()); break;                                                                     // ldc.i4.s
            case >= 0x15 and <= 0x1E: records[^1].Item3.Add(op - 0x16); break;                                                           // ldc.i4.m1 .. ldc.i4.8
            case 0x00 or 0x26 or 0x2A: break;                                                                                            // nop, pop, ret
            default: throw new InvalidDataException("unexpected IL opcode 0x" + op.ToString("x2", CultureInfo.InvariantCulture));
        }
    }

    return records;
}

/// <summary>Names the assembly (or type) that owns a method, field or type token of the .mstat.</summary>
internal sealed class Owners(MetadataReader metadata) : ISignatureTypeProvider<string, object?>
{
    private bool _typeNames;

    public string Assembly(EntityHandle handle)
    {
        _typeNames = false;
        return Resolve(handle);
    }

    public string Type(EntityHandle handle)
    {
        _typeNames = true;
        return Resolve(handle);
    }

    private string Resolve(EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeReference => GetTypeFromReference(metadata, (TypeReferenceHandle)handle, 0),
        HandleKind.TypeSpecification => metadata.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
        HandleKind.MemberReference => Resolve(metadata.GetMemberReference((MemberReferenceHandle)handle).Parent),
        HandleKind.MethodSpecification => Resolve(metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method),
        _ => "(" + handle.Kind + ")",
    };

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        TypeReference type = reader.GetTypeReference(handle);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            string outer = GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, 0);
            return _typeNames ? outer + "+" + reader.GetString(type.Name) : outer;
        }

        if (_typeNames)
        {
            return reader.GetString(type.Namespace) + "." + reader.GetString(type.Name);
        }

        return type.ResolutionScope.Kind == HandleKind.AssemblyReference
            ? reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name)
            : "(" + type.ResolutionScope.Kind + ")";
    }

    // A generic instantiation, array or pointer belongs to its generic definition or element type.
    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType;
    public string GetArrayType(string elementType, ArrayShape shape) => elementType;
    public string GetSZArrayType(string elementType) => elementType;
    public string GetByReferenceType(string elementType) => elementType;
    public string GetPointerType(string elementType) => elementType;
    public string GetPinnedType(string elementType) => elementType;
    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => _typeNames ? "System." + typeCode : "System.Private.CoreLib";
    public string GetFunctionPointerType(MethodSignature<string> signature) => _typeNames ? "(function pointer)" : "System.Private.CoreLib";
    public string GetGenericMethodParameter(object? genericContext, int index) => "(generic parameter)";
    public string GetGenericTypeParameter(object? genericContext, int index) => "(generic parameter)";
    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => "(mstat)";
    public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
}
