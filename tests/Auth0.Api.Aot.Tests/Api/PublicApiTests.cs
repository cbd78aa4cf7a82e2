using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>
/// Every change to the public surface is a reviewed diff of <c>PublicApi.approved.txt</c> (habit 2): on a mismatch the
/// test writes <c>PublicApi.received.txt</c> beside it. And every public class is sealed, or abstract with no
/// constructor callers outside the assembly can use.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly s_assembly = typeof(ApiClient).Assembly;

    [Fact]
    public void Public_api_matches_the_approved_file()
    {
        string actual = Describe();
        string directory = SourceDirectory();
        string approvedPath = Path.Combine(directory, "PublicApi.approved.txt");
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (!string.Equals(approved, actual, StringComparison.Ordinal))
        {
            File.WriteAllText(Path.Combine(directory, "PublicApi.received.txt"), actual);
            Assert.Fail("The public API changed. Review PublicApi.received.txt and, if intended, copy it over PublicApi.approved.txt.");
        }
    }

    [Fact]
    public void Public_classes_are_sealed_or_closed_abstract()
    {
        foreach (Type type in s_assembly.GetExportedTypes().Where(t => t.IsClass))
        {
            if (type.IsAbstract && !type.IsSealed)
            {
                Assert.DoesNotContain(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance), c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly);
            }
            else
            {
                Assert.True(type.IsSealed, type.FullName + " must be sealed");
            }
        }
    }

    [Fact]
    public void No_public_member_exposes_an_internal_namespace()
    {
        Assert.DoesNotContain(s_assembly.GetExportedTypes(), t => t.Namespace!.Contains("Internal", StringComparison.Ordinal));
    }

    // The folder of this file in the repository. [CallerFilePath] is no help: CI builds are deterministic and map
    // source paths to "/_/", so the repository is found by walking up from the test binaries to the solution file.
    private static string SourceDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Auth0.Api.Aot.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "Auth0.Api.Aot.Tests", "Api");
            }
        }

        throw new InvalidOperationException("Auth0.Api.Aot.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Describe()
    {
        StringBuilder builder = new();
        foreach (Type type in s_assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            builder.Append(Kind(type)).Append(' ').Append(type.FullName);
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
            {
                builder.Append(" : ").Append(Name(baseType));
            }

            builder.Append('\n');
            foreach (string member in Members(type).OrderBy(m => m, StringComparer.Ordinal))
            {
                builder.Append("    ").Append(member).Append('\n');
            }
        }

        return builder.ToString();
    }

    private static string Kind(Type type) => type switch
    {
        { IsEnum: true } => "enum",
        { IsValueType: true } => "struct",
        { IsInterface: true } => "interface",
        { IsAbstract: true, IsSealed: true } => "static class",
        { IsAbstract: true } => "abstract class",
        { IsSealed: true } => "sealed class",
        _ => "class",
    };

    private static IEnumerable<string> Members(Type type)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.IsEnum)
        {
            foreach (string name in Enum.GetNames(type))
            {
                yield return name + " = " + Convert.ToInt64(Enum.Parse(type, name), System.Globalization.CultureInfo.InvariantCulture);
            }

            yield break;
        }

        foreach (ConstructorInfo constructor in type.GetConstructors(Flags))
        {
            yield return "ctor(" + Parameters(constructor) + ")";
        }

        foreach (PropertyInfo property in type.GetProperties(Flags))
        {
            string accessors = (property.GetMethod?.IsPublic == true ? " get;" : string.Empty) + (property.SetMethod?.IsPublic == true ? " set;" : string.Empty);
            yield return (property.GetMethod?.IsStatic == true ? "static " : string.Empty) + Name(property.PropertyType) + " " + property.Name + " {" + accessors + " }";
        }

        foreach (FieldInfo field in type.GetFields(Flags))
        {
            yield return (field.IsLiteral ? "const " : field.IsStatic ? "static readonly " : string.Empty) + Name(field.FieldType) + " " + field.Name;
        }

        foreach (MethodInfo method in type.GetMethods(Flags).Where(m => !m.IsSpecialName))
        {
            yield return (method.IsStatic ? "static " : string.Empty) + Name(method.ReturnType) + " " + method.Name + "(" + Parameters(method) + ")";
        }
    }

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType) + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)));

    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsByRef)
        {
            return "ref " + Name(type.GetElementType()!);
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        string name = type.GetGenericTypeDefinition().FullName!;
        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
