using System;
using System.Collections.Generic;
using System.IO;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Reflection;
using System.Text;

namespace Auth0.Api.Aot.Testing;

/// <summary>
/// The public surface of an assembly as text, for the approval tests of every shipped project (habit 2): a change to
/// it is a reviewed diff of that project's <c>PublicApi.approved.txt</c>.
/// </summary>
public static class PublicApiDescription
{
    /// <summary>
    /// Compares <paramref name="assembly"/>'s surface with <c>PublicApi.approved.txt</c> in <paramref name="folder"/>
    /// (relative to the repository root). On a mismatch it writes <c>PublicApi.received.txt</c> beside it and returns
    /// what to do; <see langword="null"/> when they match.
    /// </summary>
    [RequiresUnreferencedCode("Reads the public surface by reflection: for tests, never trimmed.")]
    public static string? CompareWithApproved(Assembly assembly, string folder)
    {
        string actual = Describe(assembly);
        string directory = Path.Combine(RepositoryRoot(), folder);
        string approvedPath = Path.Combine(directory, "PublicApi.approved.txt");
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (string.Equals(approved, actual, StringComparison.Ordinal))
        {
            return null;
        }

        File.WriteAllText(Path.Combine(directory, "PublicApi.received.txt"), actual);
        return "The public API changed. Review " + folder + "/PublicApi.received.txt and, if intended, copy it over PublicApi.approved.txt.";
    }

    /// <summary>The public classes that are neither sealed nor abstract with no constructor outside callers can use (habit 1).</summary>
    [RequiresUnreferencedCode("Reads the public surface by reflection: for tests, never trimmed.")]
    public static IReadOnlyList<string> OpenClasses(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(t => t.IsClass && (t.IsAbstract && !t.IsSealed
                ? t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Any(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly)
                : !t.IsSealed))
            .Select(t => t.FullName!)
            .ToArray();

    // The repository, found by walking up from the test binaries to the solution file. [CallerFilePath] is no help: CI
    // builds are deterministic and map source paths to "/_/".
    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Auth0.Api.Aot.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Auth0.Api.Aot.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>One line per public type (kind, name, base type) and, below it, one per public member, in ordinal order.</summary>
    [RequiresUnreferencedCode("Reads the public surface by reflection: for tests, never trimmed.")]
    public static string Describe(Assembly assembly)
    {
        StringBuilder builder = new();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
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

    [RequiresUnreferencedCode("Reads members by reflection.")]
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

        // Events too: their add/remove accessors are special names, skipped below, so an event would otherwise be unreviewed.
        foreach (EventInfo @event in type.GetEvents(Flags))
        {
            yield return "event " + Name(@event.EventHandlerType!) + " " + @event.Name;
        }

        foreach (MethodInfo method in type.GetMethods(Flags).Where(m => !m.IsSpecialName))
        {
            yield return (method.IsStatic ? "static " : string.Empty) + Name(method.ReturnType) + " " + method.Name + "(" + Parameters(method) + ")";
        }
    }

    [RequiresUnreferencedCode("Reads members by reflection.")]
    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType) + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)));

    [RequiresUnreferencedCode("Reads members by reflection.")]
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
