using System.Diagnostics;
using System.Text;

namespace Auth0.Api.Aot.Generators.Helpers;

/// <summary>
/// A <see cref="StringBuilder"/> that indents each line by the current depth (four spaces a level) and ends lines with
/// <c>\n</c> on every platform, so generated text is byte-identical wherever it is produced.
/// </summary>
internal sealed class SourceWriter
{
    private const int SpacesPerLevel = 4;

    private readonly StringBuilder _builder = new(4096);
    private int _depth;

    /// <summary>Writes <paramref name="line"/> at the current depth.</summary>
    /// <param name="line">One line, without a line break.</param>
    public void WriteLine(string line)
    {
        Debug.Assert(line.IndexOf('\n') < 0, "One line at a time.");
        _builder.Append(' ', _depth * SpacesPerLevel).Append(line).Append('\n');
    }

    /// <summary>Writes an empty line (no indentation, so no trailing whitespace).</summary>
    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes <c>{</c> and indents what follows.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        _depth++;
    }

    /// <summary>Unindents and writes <c>}</c> followed by <paramref name="suffix"/> (e.g. <c>;</c>).</summary>
    /// <param name="suffix">Text after the brace.</param>
    public void CloseBlock(string suffix = "")
    {
        Debug.Assert(_depth > 0, "Unbalanced block.");
        _depth--;
        WriteLine("}" + suffix);
    }

    /// <summary>The text written so far.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _builder.ToString();
}
